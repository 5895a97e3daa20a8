/**
 * Turns `publish` arguments (files, directories, globs) into a list of article files.
 *
 * - a file: taken as is (whatever its extension);
 * - a directory: every `*.md` / `*.markdown` file in it and below, hidden entries and
 *   `node_modules` skipped;
 * - a glob (`*`, `**`, `?`, `[...]`, `{a,b}`), for shells that do not expand it or when
 *   quoted: matched from its literal leading directories.
 *
 * Files are returned once each, in a stable order (arguments order, then path order).
 */
import { type Dirent, readdirSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.ts';

const ARTICLE_EXTENSIONS = /\.(md|markdown)$/i;
const GLOB_CHARS = /[*?[\]{}]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** A regular expression for one path segment pattern (no `/`). */
function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] as string;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (char === '{') {
      const end = segment.indexOf('}', i + 1);
      if (end === -1) source += '\\{';
      else {
        const alternatives = segment
          .slice(i + 1, end)
          .split(',')
          .map((alternative) => alternative.replace(/[.+^${}()|[\]\\*?]/g, '\\$&'));
        source += `(?:${alternatives.join('|')})`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Whether a relative path (`/`-separated) matches a glob pattern (`/`-separated). */
export function matchGlob(pattern: string, relativePath: string): boolean {
  const patternParts = pattern.split('/').filter((part) => part !== '' && part !== '.');
  const pathParts = relativePath.split('/').filter((part) => part !== '');
  const match = (p: number, s: number): boolean => {
    if (p === patternParts.length) return s === pathParts.length;
    const part = patternParts[p] as string;
    if (part === '**') {
      for (let skip = s; skip <= pathParts.length; skip++) {
        if (match(p + 1, skip)) return true;
      }
      return false;
    }
    if (s === pathParts.length) return false;
    const segment = pathParts[s] as string;
    // Like shells: wildcards do not match a leading dot.
    if (segment.startsWith('.') && !part.startsWith('.')) return false;
    return segmentRegExp(part).test(segment) && match(p + 1, s + 1);
  };
  return match(0, 0);
}

function walk(dir: string, visit: (file: string) => void): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else if (entry.isFile()) visit(full);
  }
}

/**
 * Expands the arguments. An argument that names nothing (no such file, an empty
 * directory, a glob matching nothing) is a usage error: nothing is published then.
 */
export function expandArticleFiles(args: readonly string[], cwd = process.cwd()): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  const add = (file: string) => {
    const key = path.resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  const problems: string[] = [];
  for (const arg of args) {
    const absolute = path.resolve(cwd, arg);
    let stat: Stats | undefined;
    try {
      stat = statSync(absolute);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) {
      add(arg);
      continue;
    }
    if (stat?.isDirectory()) {
      let found = 0;
      walk(absolute, (file) => {
        if (!ARTICLE_EXTENSIONS.test(file)) return;
        found++;
        add(path.join(arg, path.relative(absolute, file)));
      });
      if (found === 0) {
        problems.push(`${arg}: directory holds no .md or .markdown files`);
      }
      continue;
    }
    if (isGlob(arg)) {
      const normalised = arg.split(path.sep).join('/');
      const parts = normalised.split('/');
      const literal: string[] = [];
      for (const part of parts) {
        if (isGlob(part)) break;
        literal.push(part);
      }
      const baseArg = literal.length === 0 ? '.' : literal.join('/') || '/';
      const base = path.resolve(cwd, baseArg);
      const rest = parts.slice(literal.length).join('/');
      const matches: string[] = [];
      walk(base, (file) => {
        const relative = path.relative(base, file).split(path.sep).join('/');
        if (matchGlob(rest, relative)) matches.push(file);
      });
      for (const file of matches) {
        add(literal.length === 0 ? path.relative(cwd, file) : path.join(baseArg, path.relative(base, file)));
      }
      if (matches.length === 0) problems.push(`${arg}: no file matches`);
      continue;
    }
    problems.push(`${arg}: no such file or directory`);
  }
  if (problems.length > 0) {
    throw new UsageError(`nothing was published:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
  return files;
}
