using System.Net;
using System.Text.Json;
using Causeway.Model;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Tls.ClientValidation;

namespace Causeway.Translation.Policies;

/// <summary>
/// Checks a ClientTrafficPolicy and compiles it into IR. Every field the CRD defines is honoured, rejected with a
/// message naming it (a value that cannot be served as written), or reported as a warning naming it (not implemented
/// yet). Where a field is omitted, Envoy Gateway's default applies to the listeners the policy reaches (request IDs
/// generated, headers with underscores rejected, adjacent slashes merged, escaped slashes unescaped and redirected).
/// </summary>
internal static class ClientTrafficPolicyCompiler
{
    public static CompiledClientTrafficPolicy Compile(ClientTrafficPolicy policy, ResourceSnapshot s)
    {
        var spec = policy.Spec;
        var errors = new List<string>();
        var warnings = new List<string>();
        var name = $"{policy.Namespace}/{policy.Name}";
        Unmodelled(spec.Unmodelled, "spec", warnings);

        var ir = new ClientTrafficIr
        {
            Policy = name,
            ClientIpDetection = ClientIp(spec.ClientIPDetection, errors, warnings),
            DisableXForwardedForAppend = spec.ClientIPDetection?.XForwardedFor?.DisableXForwardedForAppend ?? false,
            HealthCheckPath = HealthCheck(spec.HealthCheck, errors),
            Tls = Tls(spec.Tls, errors, warnings),
        };
        if (spec.Headers is { } h)
        {
            Unmodelled(h.Unmodelled, "spec.headers", warnings);
            ir = ir with
            {
                RequestId = h.PreserveXRequestID == true ? RequestIdMode.PreserveOrGenerate : h.RequestID switch
                {
                    "Preserve" => RequestIdMode.Preserve,
                    "PreserveOrGenerate" => RequestIdMode.PreserveOrGenerate,
                    "Disable" => RequestIdMode.Disable,
                    _ => RequestIdMode.Generate,
                },
                WithUnderscores = h.WithUnderscoresAction switch
                {
                    "Allow" => UnderscoresAction.Allow,
                    "DropHeader" => UnderscoresAction.DropHeader,
                    _ => UnderscoresAction.RejectRequest,
                },
            };
            if (h.XForwardedClientCert is { } xfcc) ir = ir with { ForwardedClientCert = ForwardedClientCertCompiler.Compile(xfcc, errors) };
            ir = ir with
            {
                EarlyRequestHeaders = HeaderMutationCompiler.Compile(h.EarlyRequestHeaders, "spec.headers.earlyRequestHeaders", response: false, errors, warnings),
                LateResponseHeaders = HeaderMutationCompiler.Compile(h.LateResponseHeaders, "spec.headers.lateResponseHeaders", response: true, errors, warnings),
            };
            ir = ir with { EnableEnvoyHeaders = h.EnableEnvoyHeaders == true };
        }

        if (spec.Path is { } path)
        {
            Unmodelled(path.Unmodelled, "spec.path", warnings);
            ir = ir with
            {
                MergeSlashes = path.DisableMergeSlashes != true,
                EscapedSlashes = path.EscapedSlashesAction switch
                {
                    "KeepUnchanged" => EscapedSlashesAction.KeepUnchanged,
                    "RejectRequest" => EscapedSlashesAction.RejectRequest,
                    "UnescapeAndForward" => EscapedSlashesAction.UnescapeAndForward,
                    _ => EscapedSlashesAction.UnescapeAndRedirect,
                },
            };
        }

        var useDefaultHost = false;
        if (spec.Http1 is { } h1)
        {
            // Every transport writes header names as the client and the backend sent them (HTTP/2 aside, whose names
            // are lower case), which is what preserveHeaderCase asks for; Envoy's lower-casing default is not offered.
            Unmodelled(h1.Unmodelled, "spec.http1", warnings);
            if (h1.EnableTrailers == true)
                warnings.Add("spec.http1.enableTrailers: served in part: the HTTP/1.1 byte transports relay response trailers as the backend sent them, "
                    + "the Kestrel pipeline drops them on HTTP/1.1 (Kestrel has no HTTP/1.1 response trailers); request trailers are not promised to reach the backend");
            else if (h1.EnableTrailers == false)
                warnings.Add("spec.http1.enableTrailers: false is not honoured by the HTTP/1.1 byte transports, which relay response trailers as the backend sent them");
            if (h1.Http10 is { } h10)
            {
                // HTTP/1.0 is served anyway (by the Kestrel pipeline); the default Host is the listener's, decided per
                // listener by ClientTrafficPolicies.ForListener.
                Unmodelled(h10.Unmodelled, "spec.http1.http10", warnings);
                useDefaultHost = h10.UseDefaultHost == true;
            }
        }

        ProxyProtocolIr? proxy = spec.ProxyProtocol is { } pp ? new ProxyProtocolIr { Optional = pp.Optional ?? false }
            : spec.EnableProxyProtocol == true ? new ProxyProtocolIr() : null;
        var connection = new ClientConnectionIr { Policy = name, ProxyProtocol = proxy };
        if (spec.Connection is { } c)
        {
            Unmodelled(c.Unmodelled, "spec.connection", warnings);
            if (c.MaxAcceptPerSocketEvent is { } accepts and not 1)
                warnings.Add("spec.connection.maxAcceptPerSocketEvent: not supported by Causeway yet, ignored");
            connection = connection with
            {
                BufferLimit = Size(c.BufferLimit, "spec.connection.bufferLimit", errors),
                SocketBufferLimit = Size(c.SocketBufferLimit, "spec.connection.socketBufferLimit", errors),
            };
            if (c.ConnectionLimit is { } cl)
            {
                const string f = "spec.connection.connectionLimit";
                Unmodelled(cl.Unmodelled, f, warnings);
                if (cl.MaxRequestsPerConnection is { } max and < 0) errors.Add($"{f}.maxRequestsPerConnection: {max} is negative");
                connection = connection with
                {
                    ConnectionLimit = cl.Value,
                    ConnectionLimitCloseDelay = Duration(cl.CloseDelay, $"{f}.closeDelay", errors),
                    // 0: no limit, as when omitted.
                    MaxRequestsPerConnection = cl.MaxRequestsPerConnection is > 0 ? cl.MaxRequestsPerConnection : null,
                    MaxConnectionDuration = Positive(Duration(cl.MaxConnectionDuration, $"{f}.maxConnectionDuration", errors)),
                };
            }
        }
        if (spec.Timeout is { } t)
        {
            Unmodelled(t.Unmodelled, "spec.timeout", warnings);
            if (t.Http is { } http)
            {
                Unmodelled(http.Unmodelled, "spec.timeout.http", warnings);
                connection = connection with
                {
                    IdleTimeout = Duration(http.IdleTimeout, "spec.timeout.http.idleTimeout", errors),
                    RequestHeadersTimeout = Duration(http.RequestHeadersReceivedTimeout, "spec.timeout.http.requestHeadersReceivedTimeout", errors),
                    RequestReceivedTimeout = Duration(http.RequestReceivedTimeout, "spec.timeout.http.requestReceivedTimeout", errors),
                };
            }
            if (t.Tcp is { } tcp)
            {
                Unmodelled(tcp.Unmodelled, "spec.timeout.tcp", warnings);
                connection = connection with { TcpIdleTimeout = Duration(tcp.IdleTimeout, "spec.timeout.tcp.idleTimeout", errors) };
            }
        }

        if (spec.Http2 is { } h2)
        {
            Unmodelled(h2.Unmodelled, "spec.http2", warnings);
            if (h2.MaxConcurrentStreams is { } streams and < 1) errors.Add($"spec.http2.maxConcurrentStreams: {streams} is below 1");
            connection = connection with
            {
                Http2InitialStreamWindowSize = Window(h2.InitialStreamWindowSize, "spec.http2.initialStreamWindowSize", errors),
                Http2InitialConnectionWindowSize = Window(h2.InitialConnectionWindowSize, "spec.http2.initialConnectionWindowSize", errors),
                Http2MaxConcurrentStreams = h2.MaxConcurrentStreams is > 0 ? h2.MaxConcurrentStreams : null,
            };
        }

        if (spec.Headers?.MaxRequestHeaderLimit is { } headerLimit)
        {
            // Envoy's max_request_headers_kb: whole KiB, 1 to 8192.
            const string f = "spec.headers.maxRequestHeaderLimit";
            if (Quantities.Bytes(headerLimit) is not { } bytes) errors.Add($"{f}: {headerLimit.GetRawText()} is not a size (e.g. 60Ki)");
            else if (bytes is < 1024 or > 8192L * 1024) errors.Add($"{f}: {bytes} bytes is outside 1Ki..8192Ki");
            else connection = connection with { MaxRequestHeadersBytes = (int)((bytes + 1023) / 1024 * 1024) };
        }

        if (connection == new ClientConnectionIr { Policy = name }) connection = null;

        ClientValidationIr? validation = null;
        if (spec.Tls?.ClientValidation is { } cv)
        {
            var validationErrors = new List<string>();
            validation = ClientValidationCompiler.Compile(cv, policy.Namespace, s, validationErrors, warnings);
            if (validationErrors.Count > 0)
            {
                // Fail closed: the listeners refuse every client rather than serve without the validation asked for.
                errors.AddRange(validationErrors);
                errors.Add("spec.tls.clientValidation: invalid, so the listeners the policy targets refuse every client until it is fixed");
                return new CompiledClientTrafficPolicy
                {
                    Listener = new ClientTrafficIr { Policy = name },
                    ClientValidation = ClientValidationCompiler.RefuseAll,
                    RefusesClients = true,
                    Errors = errors,
                    Warnings = warnings,
                };
            }
        }
        return new CompiledClientTrafficPolicy
        {
            Listener = ir, Connection = connection, ClientValidation = validation, UseDefaultHost = useDefaultHost, Errors = errors, Warnings = warnings,
        };
    }

    private static ClientIpDetectionIr? ClientIp(ClientIpDetectionSpec? spec, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        Unmodelled(spec.Unmodelled, "spec.clientIPDetection", warnings);
        if (spec.XForwardedFor is { } xff)
        {
            Unmodelled(xff.Unmodelled, "spec.clientIPDetection.xForwardedFor", warnings);
            if (xff.NumTrustedHops is { } hops)
            {
                if (hops < 0) errors.Add($"spec.clientIPDetection.xForwardedFor.numTrustedHops: {hops} is negative");
                // 0 trusted hops: the peer itself is the client, as without detection.
                return hops <= 0 ? null : new ClientIpDetectionIr { XffTrustedHops = hops };
            }
            if (xff.TrustedCIDRs is { Count: > 0 } cidrs)
            {
                for (var i = 0; i < cidrs.Count; i++)
                    if (!IPNetwork.TryParse(cidrs[i], out _))
                        errors.Add($"spec.clientIPDetection.xForwardedFor.trustedCIDRs[{i}]: \"{cidrs[i]}\" is not a CIDR");
                return new ClientIpDetectionIr { XffTrustedCidrs = new([.. cidrs]) };
            }
            return null; // only disableXForwardedForAppend
        }
        if (spec.CustomHeader is { } ch)
        {
            if (string.IsNullOrWhiteSpace(ch.Name)) errors.Add("spec.clientIPDetection.customHeader.name: required");
            return new ClientIpDetectionIr { CustomHeader = ch.Name.ToLowerInvariant(), FailClosed = ch.FailClosed ?? false };
        }
        return null; // directSourceIP: the peer, which is what Causeway uses anyway
    }

    private static string? HealthCheck(ListenerHealthCheckSpec? spec, List<string> errors)
    {
        if (spec is null) return null;
        if (!spec.Path.StartsWith('/')) errors.Add($"spec.healthCheck.path: \"{spec.Path}\" must start with '/'");
        return spec.Path;
    }

    private static ClientTlsIr? Tls(ClientTlsSpec? spec, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        Unmodelled(spec.Unmodelled, "spec.tls", warnings);
        var min = TlsCipherNames.Version(spec.MinVersion, "1.2", "spec.tls.minVersion", errors, warnings);
        var max = TlsCipherNames.Version(spec.MaxVersion, "1.3", "spec.tls.maxVersion", errors, warnings);
        if (string.CompareOrdinal(min, max) > 0) errors.Add($"spec.tls: minVersion {min} is above maxVersion {max}");
        var ciphers = TlsCipherNames.Ciphers(spec.Ciphers, min, "spec.tls.ciphers", errors);
        EquatableArray<string>? alpn = spec.AlpnProtocols is null ? null : new([.. spec.AlpnProtocols]);
        var curves = Names(spec.EcdhCurves, TlsCipherNames.Groups, "spec.tls.ecdhCurves", "an ECDH curve", errors);
        var sigalgs = Names(spec.SignatureAlgorithms, TlsCipherNames.SignatureAlgorithms, "spec.tls.signatureAlgorithms", "a signature algorithm", errors);
        var fingerprints = Names(spec.Fingerprints, TlsCipherNames.Fingerprints, "spec.tls.fingerprints", "a fingerprint type", errors);
        bool? resumption = null;
        if (spec.Session is { } session)
        {
            Unmodelled(session.Unmodelled, "spec.tls.session", warnings);
            var r = session.Resumption;
            var stateful = r?.Stateful is not null;
            var stateless = r?.Stateless is not null;
            // Envoy Gateway's default is no resumption; OpenSSL (through .NET) serves session IDs and tickets together.
            resumption = stateful || stateless;
            if (stateful != stateless)
                warnings.Add($"spec.tls.session.resumption: Causeway resumes sessions by ID and by ticket together; {(stateful ? "stateless" : "stateful")} resumption is offered too");
            if (resumption == true && spec.ClientValidation is not null)
                warnings.Add("spec.tls.session.resumption: not offered with spec.tls.clientValidation (a resumed session would skip the client certificate's validation)");
            if (resumption == true && ciphers.Count > 0)
                warnings.Add("spec.tls.session.resumption: not offered together with spec.tls.ciphers (handshakes with a cipher list get a fresh TLS context each)");
        }
        return new ClientTlsIr
        {
            MinVersion = min,
            MaxVersion = max,
            Ciphers = ciphers.Count > 0 ? new EquatableArray<string>(ciphers) : (EquatableArray<string>?)null,
            SessionResumption = resumption,
            AlpnProtocols = alpn,
            EcdhCurves = curves,
            SignatureAlgorithms = sigalgs,
            Fingerprints = fingerprints,
        };
    }

    /// <summary>The names of a list that are in <paramref name="known"/> (canonical spelling), each other one an error.</summary>
    private static EquatableArray<string>? Names(IReadOnlyList<string>? names, IReadOnlyDictionary<string, string> known, string field, string what,
        List<string> errors)
    {
        if (names is not { Count: > 0 }) return null;
        var result = new List<string>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            if (known.TryGetValue(names[i], out var canonical)) result.Add(canonical);
            else errors.Add($"{field}[{i}]: \"{names[i]}\" is not {what} Causeway supports ({string.Join(", ", known.Values.Distinct())})");
        }
        return result.Count > 0 ? new EquatableArray<string>(result) : (EquatableArray<string>?)null;
    }

    /// <summary>"1.2" or "1.3" (Auto: <paramref name="auto"/>); TLS 1.0 and 1.1 are not offered by Causeway.</summary>
    private static TimeSpan? Duration(string? text, string field, List<string> errors)
    {
        if (text is null) return null;
        var d = Durations.Parse(text);
        if (d is null) errors.Add($"{field}: \"{text}\" is not a duration");
        return d;
    }

    /// <summary>An HTTP/2 flow-control window: a size within what HTTP/2 (and Envoy) allow, 65535 to 2^31-1 bytes.</summary>
    private static long? Window(JsonElement? value, string field, List<string> errors)
    {
        if (value is not { } v) return null;
        var bytes = Quantities.Bytes(v);
        if (bytes is null) errors.Add($"{field}: {v.GetRawText()} is not a size (e.g. 64Ki)");
        else if (bytes is < 65535 or > int.MaxValue) errors.Add($"{field}: {bytes} bytes is outside 65535..2147483647");
        else return bytes;
        return null;
    }

    /// <summary>A positive size of at most 2^31-1 bytes (int or quantity string), else an error naming the field.</summary>
    private static int? Size(JsonElement? value, string field, List<string> errors)
    {
        if (value is not { } v) return null;
        var bytes = Quantities.Bytes(v);
        if (bytes is null or <= 0) errors.Add($"{field}: {v.GetRawText()} is not a positive size (e.g. 32Ki)");
        else if (bytes > int.MaxValue) errors.Add($"{field}: {bytes} bytes is above 2147483647");
        else return (int)bytes;
        return null;
    }

    /// <summary>A limit of zero is no limit.</summary>
    private static TimeSpan? Positive(TimeSpan? d) => d > TimeSpan.Zero ? d : null;

    private static void Unmodelled(Dictionary<string, JsonElement>? fields, string path, List<string> into)
    {
        foreach (var name in (fields?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            into.Add($"{path}.{name}: not supported by Causeway yet, ignored");
    }
}
