/** Values the global setup provides to every test file (`inject('dynamodbEndpoint')`). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the run's in-memory DynamoDB Local. */
    dynamodbEndpoint: string;
  }
}

export {};
