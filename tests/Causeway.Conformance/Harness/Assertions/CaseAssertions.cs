using System.Security.Cryptography.X509Certificates;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;

namespace Causeway.Conformance.Harness.Assertions;

/// <summary>The expected backend request after {uuid}/request-id substitution.</summary>
public sealed record ExpectedRequest(string? Path, string? ClientCertPem);

/// <summary>Decides whether one observation satisfies a request case (SOURCE.md semantics). Returns null when it does.</summary>
public static class CaseAssertions
{
    public static string? Check(CaseSpec c, Observation o, ExpectedRequest expected) => c.Request.Scheme switch
    {
        "grpc" => CheckGrpc(c, o),
        "tcp" or "tls" => CheckStream(c, o),
        "udp" => CheckDatagram(c, o),
        "ws" => o.TransportError ?? (o.Flag == true ? null : $"websocket messages not echoed: {o.Body}"),
        _ => CheckHttp(c, o, expected),
    };

    public static string? CheckHttp(CaseSpec c, Observation o, ExpectedRequest expected)
    {
        var r = c.Response;
        if (r.ConnectionError)
            return o.TransportError is not null ? null : $"expected a connection error, got HTTP {o.Status}";
        if (o.TransportError is not null) return o.TransportError;
        if (c.Request.ClientCert is not null && !o.ClientCertificateRequested)
            return "the gateway did not request a client certificate during the handshake";
        if (r.Failure)
            return o.Status != 200 ? null : "expected a failure (any status but 200), got 200";
        var allowed = r.Status.Count == 0 ? [200] : r.Status;
        var timeoutish = allowed.Contains(408) || allowed.Contains(504);
        if (!allowed.Contains(o.Status) && !(timeoutish && o.Status is 408 or 504))
            return $"expected status {string.Join(" or ", allowed)}, got {o.Status}" + Snippet(o);
        if (o.Status is 200 or 204)
        {
            if (HeaderChecks(r, o) is { } headerError) return headerError;
            if (c.NotForwarded)
                return o.Echo is null ? null : $"request was forwarded to backend pod {o.Echo.Pod}, expected the gateway to answer";
            if (c.Namespace is null && c.BackendRequest is null && c.Backend is null) return null;
            if (o.Echo is null) return $"response is not an echo (Content-Type {o.ContentType ?? "none"})" + Snippet(o);
            return BackendChecks(c, o.Echo, expected);
        }
        if (o.Status is >= 300 and < 400 && c.Redirect is { } redirect)
            return RedirectCheck(redirect, o);
        return null;
    }

    private static string? HeaderChecks(ResponseSpec r, Observation o)
    {
        string Norm(string s) => r.IgnoreWhitespace ? s.Replace(" ", "", StringComparison.Ordinal) : s;
        foreach (var (name, value) in r.Headers)
        {
            var actual = o.HeaderValues(name);
            if (actual is null) return $"response header {name} missing (expected '{value}')";
            if (Norm(HttpExecutor.Joined(actual)) != Norm(value)) return $"response header {name}: expected '{value}', got '{HttpExecutor.Joined(actual)}'";
        }
        foreach (var (name, values) in r.HeaderOneOf)
        {
            var actual = o.HeaderValues(name);
            if (actual is null) return $"response header {name} missing (expected one of {string.Join(" | ", values)})";
            var joined = Norm(HttpExecutor.Joined(actual));
            if (!values.Any(v => Norm(v) == joined)) return $"response header {name}: got '{HttpExecutor.Joined(actual)}', expected one of {string.Join(" | ", values)}";
        }
        foreach (var name in r.AbsentHeaders)
            if (o.HeaderValues(name) is { } present) return $"response header {name} must be absent, got '{HttpExecutor.Joined(present)}'";
        return null;
    }

    public static string? BackendChecks(CaseSpec c, EchoResponse echo, ExpectedRequest expected)
    {
        if (c.Namespace is not null && echo.Namespace != c.Namespace)
            return $"expected namespace {c.Namespace}, backend pod {echo.Pod} is in '{echo.Namespace}'";
        if (BackendMatches(c, echo.Pod, dashed: false) is { } podError) return podError;
        if (c.BackendRequest is not { } br) return null;
        if (br.Method is not null && c.Request.Scheme != "grpc" && echo.Method != br.Method)
            return $"backend saw method {echo.Method}, expected {br.Method}";
        if (expected.Path is not null && echo.Path != expected.Path)
            return $"backend saw path {echo.Path}, expected {expected.Path}";
        if (br.Host is not null && echo.Host != br.Host)
            return $"backend saw host {echo.Host}, expected {br.Host}";
        foreach (var (name, value) in br.Headers)
        {
            if (!echo.Headers.TryGetValue(name, out var actual)) return $"backend did not receive header {name} (expected '{value}')";
            if (string.Join(",", actual) != value) return $"backend header {name}: expected '{value}', got '{string.Join(",", actual)}'";
        }
        foreach (var name in br.AbsentHeaders)
            if (echo.Headers.TryGetValue(name, out var actual)) return $"backend header {name} must be absent, got '{string.Join(",", actual)}'";
        if (br.Sni is not null && echo.TlsServerName != br.Sni)
            return $"backend saw TLS server name '{echo.TlsServerName ?? "(no TLS)"}', expected {br.Sni}";
        if (br.FullyQualifiedMethod is not null && echo.FullyQualifiedMethod != br.FullyQualifiedMethod)
            return $"backend saw method {echo.FullyQualifiedMethod}, expected {br.FullyQualifiedMethod}";
        if (br.PodPrefixFromHeader is { } h)
        {
            if (!echo.Headers.TryGetValue(h, out var values) || values.Count != 1)
                return $"expected exactly one value of header {h} at the backend, got {(values is null ? 0 : values.Count)}";
            if (!echo.Pod.StartsWith(values[0], StringComparison.Ordinal))
                return $"pod {echo.Pod} does not start with header {h} value {values[0]}";
        }
        if (expected.ClientCertPem is { } pem && !PeerCertificatesContain(echo.PeerCertificates, pem))
            return $"backend did not see the client certificate of {br.ClientCertSecret} (peer certificates: {echo.PeerCertificates.Count})";
        return null;
    }

    /// <summary>HTTP/gRPC: pod starts with backend; TCP: starts with backend + "-"; exact-deployment: derived name equal.</summary>
    public static string? BackendMatches(CaseSpec c, string pod, bool dashed)
    {
        if (string.IsNullOrEmpty(c.Backend)) return null;
        if (c.BackendMatch == "exact-deployment")
            return EchoResponse.DeploymentOf(pod) == c.Backend ? null : $"expected Deployment {c.Backend}, answered by pod {pod}";
        var prefix = dashed ? c.Backend + "-" : c.Backend;
        return pod.StartsWith(prefix, StringComparison.Ordinal) ? null : $"expected backend {c.Backend}, answered by pod '{pod}'";
    }

    private static bool PeerCertificatesContain(IReadOnlyList<string> peers, string pem)
    {
        using var wanted = X509Certificate2.CreateFromPem(pem);
        foreach (var p in peers)
        {
            try
            {
                using var cert = X509Certificate2.CreateFromPem(p);
                if (cert.RawDataMemory.Span.SequenceEqual(wanted.RawDataMemory.Span)) return true;
            }
            catch (System.Security.Cryptography.CryptographicException) { }
        }
        return false;
    }

    public static string? RedirectCheck(RedirectSpec redirect, Observation o)
    {
        var location = o.HeaderValues("Location")?.FirstOrDefault();
        if (location is null) return $"redirect {o.Status} without Location header";
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri))
            return $"Location '{location}' is not an absolute URL";
        var scheme = redirect.Scheme ?? "http";
        if (uri.Scheme != scheme) return $"Location {location}: scheme {uri.Scheme}, expected {scheme}";
        if (redirect.Host is not null && uri.Host != redirect.Host) return $"Location {location}: host {uri.Host}, expected {redirect.Host}";
        var explicitPort = ExplicitPort(location);
        if (redirect.Port is not null)
        {
            if (explicitPort != redirect.Port && !(explicitPort is null && redirect.Port == (scheme == "https" ? "443" : "80")))
                return $"Location {location}: port '{explicitPort}', expected {redirect.Port}";
        }
        else if (explicitPort is not null && explicitPort != (scheme == "https" ? "443" : "80"))
            return $"Location {location}: port {explicitPort}, expected none or the scheme default";
        if (redirect.Path is not null && uri.AbsolutePath != redirect.Path)
            return $"Location {location}: path {uri.AbsolutePath}, expected {redirect.Path}";
        return null;
    }

    /// <summary>The port written in a URL (null when none), without Uri's defaulting.</summary>
    public static string? ExplicitPort(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        authority = authority[(authority.LastIndexOf('@') + 1)..];
        var close = authority.LastIndexOf(']');
        var colon = authority.LastIndexOf(':');
        return colon > close && colon < authority.Length - 1 ? authority[(colon + 1)..] : null;
    }

    public static string? CheckGrpc(CaseSpec c, Observation o)
    {
        if (o.GrpcCode is null) return o.TransportError ?? "no gRPC status";
        if (c.Response.Failure) return o.GrpcCode != "OK" ? null : "expected the RPC to fail, got OK";
        var code = c.Response.Code ?? "OK";
        if (!string.Equals(o.GrpcCode, code, StringComparison.OrdinalIgnoreCase)) return $"expected gRPC {code}, got {o.GrpcCode}: {o.Body}";
        if (code != "OK") return null;
        if (o.TransportError is not null) return o.TransportError;
        var echo = o.Echo!;
        if (c.BackendRequest?.FullyQualifiedMethod is { } fqm && echo.FullyQualifiedMethod != fqm)
            return $"backend saw {echo.FullyQualifiedMethod}, expected {fqm}";
        if (!string.IsNullOrEmpty(c.Namespace) && echo.Namespace != c.Namespace)
            return $"expected namespace {c.Namespace}, backend pod {echo.Pod} is in '{echo.Namespace}'";
        return BackendMatches(c, echo.Pod, dashed: false);
    }

    public static string? CheckStream(CaseSpec c, Observation o)
    {
        var r = c.Response;
        if (r.ConnectionRejected)
        {
            if (o.TransportError is null) return "expected the TLS handshake to be rejected, but it completed";
            if (o.CertificateRejected) return $"handshake failed on certificate verification, not rejected by the gateway: {o.TransportError}";
            return o.HandshakeFailed ? null : $"expected a rejected handshake, got: {o.TransportError}";
        }
        if (o.TransportError is not null) return o.TransportError;
        if (r.Connected && c.Request.Exchange == "connect-only") return null;
        var echo = o.Echo;
        if (echo is null) return c.Request.Exchange == "connect-only" ? null : "no TEST answer";
        if (r.PodNonEmpty && echo.Pod.Length == 0) return "TEST answer has an empty pod";
        if (r.BackendIsTls is { } tls && o.Flag is { } isTls && isTls != tls) return $"backend IS_TLS={isTls}, expected {tls}";
        if (r.BackendSni is not null && echo.TlsServerName != r.BackendSni) return $"backend saw SNI '{echo.TlsServerName}', expected {r.BackendSni}";
        if (!string.IsNullOrEmpty(c.Namespace) && echo.Namespace != c.Namespace) return $"expected namespace {c.Namespace}, got '{echo.Namespace}' (pod {echo.Pod})";
        return BackendMatches(c, echo.Pod, dashed: true);
    }

    public static string? CheckDatagram(CaseSpec c, Observation o)
    {
        if (o.TransportError is not null) return o.TransportError;
        var r = c.Response;
        if (r.DnsAnswer || r.AnyReply) return o.Flag == true ? null : "no reply";
        var echo = o.Echo;
        if (echo is null) return $"reply is not echo JSON: {o.Body}";
        if (r.Service is not null && echo.Service != r.Service) return $"echoed service '{echo.Service}', expected {r.Service} (pod {echo.Pod})";
        if (!string.IsNullOrEmpty(c.Namespace) && echo.Namespace != c.Namespace) return $"expected namespace {c.Namespace}, got '{echo.Namespace}'";
        return BackendMatches(c, echo.Pod, dashed: false);
    }

    private static string Snippet(Observation o) =>
        o.Body.Length == 0 ? "" : " body: " + (o.Body.Length > 200 ? o.Body[..200] + "..." : o.Body).ReplaceLineEndings(" ");
}
