# Varnish in front of `npm start`: the local stand-in of the CloudFront distribution
# (lib/edge.ts, docs/edge.md), used by test/e2e/edge.test.ts.
#
# Like the distribution:
# - an answer is cached only when the origin says so: the TTL comes from `s-maxage`
#   (Varnish's own rule: s-maxage first, then max-age); varnishd runs with
#   `-t 0` (no default TTL, CloudFront's defaultTtl 0) and no grace;
# - errors (status >= 400) are never cached;
# - requests with Authorization, and /editor/ and /preview/, are never cached (pass);
# - no cookies in the cache key; the Host is left out (one site);
# - purged by BAN requests (X-Ban-Url: a regex on path + query, built from the same paths
#   as the CloudFront invalidations, functions/core/edge/paths.ts) or PURGE of one URL,
#   accepted from localhost only.
vcl 4.1;

# The local server (the test rewrites this port to the server's own).
backend newsdesk {
    .host = "127.0.0.1";
    .port = "3000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN" || req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Purging is allowed from localhost only"));
        }
        if (req.method == "PURGE") {
            return (purge);
        }
        if (!req.http.X-Ban-Url) {
            return (synth(400, "X-Ban-Url (a regex on path and query) is required"));
        }
        # Lurker-friendly: the ban tests an object header, not the request.
        ban("obj.http.X-Url ~ " + req.http.X-Ban-Url);
        return (synth(200, "Banned"));
    }
    if (req.http.Authorization || req.url ~ "^/editor/" || req.url ~ "^/preview/") {
        return (pass);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    # The cache key is the path and query only (CloudFront's keeps limit, cursor and tag).
    hash_data(req.url);
    return (lookup);
}

sub vcl_backend_response {
    set beresp.http.X-Url = bereq.url;
    set beresp.grace = 0s;
    if (beresp.status >= 400) {
        # Never cached, and no hit-for-miss object lingering either.
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
}

sub vcl_deliver {
    unset resp.http.X-Url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
