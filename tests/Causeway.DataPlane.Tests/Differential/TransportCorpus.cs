namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// The request corpus every transport must serve alike: methods, request bodies, header edits, redirects, direct
/// responses, rewrites, CORS, unrouted requests, backend failures, retries and the backend's response framings.
/// </summary>
public static class TransportCorpus
{
    private static BackendReply Ok(BackendRequest _, int __) => BackendReply.Ok();

    private static string Get(string path, string method = "GET", string extra = "") =>
        $"{method} {path} HTTP/1.1\r\nHost: app.example\r\nUser-Agent: diff\r\n{extra}\r\n";

    private static string Get10(string path, string method = "GET", string extra = "") =>
        $"{method} {path} HTTP/1.0\r\nHost: app.example\r\nUser-Agent: diff\r\n{extra}\r\n";

    private static DiffCase Case(string name, string request, Func<BackendRequest, int, BackendReply>? backend = null) =>
        new(name, request, backend ?? Ok);

    public static readonly DiffCase[] Cases =
    [
        // Methods.
        Case("get", Get("/plain/get?q=1&r=%41%2f%20")) with { Status = 200, BackendRequests = 1 },
        Case("head", Get("/plain/head", "HEAD"), (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")) with { Head = true, Status = 200 },
        Case("delete", Get("/plain/delete", "DELETE")) with { Status = 200 },
        Case("options", Get("/plain/options", "OPTIONS")) with { Status = 200 },
        Case("put-length", Get("/plain/put", "PUT", "Content-Length: 4\r\n") + "data") with { Status = 200 },
        // Bodies.
        Case("post-length", Get("/plain/post", "POST", "Content-Type: text/plain\r\nContent-Length: 11\r\n") + "hello world") with { Status = 200 },
        Case("post-empty-length", Get("/plain/post", "POST", "Content-Length: 0\r\n")) with { Status = 200 },
        Case("post-no-length", Get("/plain/post", "POST")) with { Status = 200 },
        Case("post-chunked", Get("/plain/post", "POST", "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n") with { Status = 200 },
        Case("put-empty-chunked", Get("/plain/put", "PUT", "Transfer-Encoding: chunked\r\n") + "0\r\n\r\n") with { Status = 200 },
        // Header edits, names in other cases and values repeated.
        Case("edits", Get("/edits/a", extra: "X-Remove: gone\r\nx-set: client\r\nX-Add: client\r\nX-Keep: kept\r\n"),
            (_, _) => BackendReply.Ok(extra: "X-Resp-Remove: gone\r\nx-resp-set: backend\r\nX-RESP-ADD: backend\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n")) with { Status = 200 },
        Case("edits-upper-case-names", Get("/edits/b", extra: "X-REMOVE: gone\r\nX-SET: client\r\n")) with { Status = 200 },
        Case("multi-valued-request-header", Get("/plain/multi", extra: "X-Multi: 1\r\nX-Multi: 2\r\n")) with { Status = 200 },
        Case("forwarded-headers", Get("/plain/fwd", extra: "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nKeep-Alive: 5\r\nTE: trailers\r\n")) with { Status = 200 },
        // Answers the gateway writes itself.
        Case("redirect", Get("/redirect/x?y=1")) with { Status = 301, BackendRequests = 0 },
        Case("direct-response", Get("/direct")) with { Status = 500, BackendRequests = 0 },
        Case("no-route", Get("/nothing")) with { Status = 404, BackendRequests = 0 },
        Case("rewrite", Get("/rewrite/x?y=1")) with { Status = 200 },
        Case("cors-preflight", Get("/cors/p", "OPTIONS", "Origin: https://a.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-h\r\n")) with { Status = 200, BackendRequests = 0 },
        Case("cors-actual", Get("/cors/a", extra: "Origin: https://a.example\r\n")) with { Status = 200 },
        Case("cors-other-origin", Get("/cors/a", extra: "Origin: https://b.example\r\n")) with { Status = 200 },
        // Backend failures.
        Case("refused", Get("/refused")) with { Status = 503, BackendRequests = 0 },
        Case("no-endpoints", Get("/noendpoints")) with { Status = 503, BackendRequests = 0 },
        Case("malformed-response", Get("/plain/bad"), (_, _) => new BackendReply("NOT HTTP\r\n\r\n", Close: true)) with { Status = 502 },
        // A backend that closes before any answer: 503, Envoy's "disconnect/reset before headers".
        Case("closed-before-response", Get("/plain/gone"), (_, _) => new BackendReply("", Close: true)) with { Status = 503, CollapseRetries = true },
        Case("closed-mid-body", Get("/plain/cut"), (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", Close: true)) with { Status = 200, Drain = true },
        Case("timeout", Get("/timeout"), (_, _) => BackendReply.Ok() with { Delay = TimeSpan.FromSeconds(1) }) with { Status = 504 },
        Case("retry-then-ok", Get("/retry"), (_, n) => n == 0 ? new BackendReply("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n") : BackendReply.Ok("second")) with { Status = 200, BackendRequests = 2 },
        // Response framings.
        Case("response-chunked", Get("/plain/chunked"), (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n")) with { Status = 200 },
        Case("response-close-delimited", Get("/plain/close"), (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", Close: true)) with { Status = 200 },
        Case("response-204", Get("/plain/204"), (_, _) => new BackendReply("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n")) with { Status = 204 },
        Case("response-304", Get("/plain/304"), (_, _) => new BackendReply("HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n")) with { Status = 304 },
        Case("response-head-chunked", Get("/plain/headc", "HEAD"), (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) with { Head = true, Status = 200 },
        // Interim 1xx answers are dropped by every transport (as HttpClient does; Envoy too, except 100-continue).
        Case("response-interim", Get("/plain/interim"), (_, _) => new BackendReply("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + BackendReply.Ok().Bytes)) with { Status = 200 },
        Case("response-status-reason", Get("/plain/reason"), (_, _) => new BackendReply("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n")) with { Status = 418 },
        Case("response-http10", Get("/plain/http10"), (_, _) => new BackendReply("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", Close: true)) with { Status = 200 },
        // HTTP/1.0 clients: sent on as HTTP/1.1; the connection closes unless the client asked to keep it, and a body
        // without a length (chunked or close-delimited from the backend) goes to them decoded and close-delimited.
        Case("http10-length", Get10("/plain/h10"), (_, _) => BackendReply.Ok("ten")) with { LoopServes = true, Status = 200, Drain = true },
        Case("http10-keep-alive-pipelined", Get10("/plain/h10a", extra: "Connection: keep-alive\r\n") + Get10("/plain/h10b", extra: "Connection: Keep-Alive\r\n") + Get10("/plain/h10c"))
            with { LoopServes = true, Status = 200, Responses = 3, Drain = true, BackendRequests = 3 },
        Case("http10-chunked-response", Get10("/plain/h10chunked", extra: "Connection: keep-alive\r\n"),
            (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")) with { LoopServes = true, Status = 200, Drain = true },
        Case("http10-close-delimited-response", Get10("/plain/h10close", extra: "Connection: keep-alive\r\n"),
            (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", Close: true)) with { LoopServes = true, Status = 200, Drain = true },
        Case("http10-head", Get10("/plain/h10head", "HEAD", "Connection: keep-alive\r\n"),
            (_, _) => new BackendReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) with { LoopServes = true, Head = true, Status = 200, Drain = true },
        Case("http10-204-keep-alive", Get10("/plain/h10nc", extra: "Connection: keep-alive\r\n") + Get10("/plain/h10after"),
            (_, n) => n == 0 ? new BackendReply("HTTP/1.1 204 No Content\r\n\r\n") : BackendReply.Ok()) with { LoopServes = true, Status = 204, Responses = 2, Drain = true },
        Case("http10-post-length", Get10("/plain/h10post", "POST", "Content-Length: 5\r\n") + "hello") with { LoopServes = true, Status = 200, Drain = true },
        Case("http10-no-route", Get10("/nothing", extra: "Connection: keep-alive\r\n") + Get10("/plain/h10after")) with { LoopServes = true, Status = 404, Responses = 2, Drain = true },
        Case("http10-redirect", Get10("/redirect/x?y=1")) with { LoopServes = true, Status = 301, BackendRequests = 0, Drain = true },
        // Without Host: the byte transports hand it to Kestrel (which routes it with no hostname, or a policy's default).
        Case("http10-no-host", "GET /plain/nohost HTTP/1.0\r\nUser-Agent: diff\r\n\r\n") with { Drain = true },
    ];

    public static TheoryData<string> Names() => [.. Cases.Select(c => c.Name)];

    public static DiffCase Find(string name) => Cases.Single(c => c.Name == name);
}
