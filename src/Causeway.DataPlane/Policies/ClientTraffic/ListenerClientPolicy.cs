using System.Net;
using Causeway.DataPlane.Filters;
using Causeway.DataPlane.Policies.ClientTraffic.ForwardedClientCert;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic;

/// <summary>
/// A listener's ClientTrafficPolicy compiled once per apply: what every transport does with a request the listener
/// received, before routing (Envoy runs it in the connection manager, ahead of every route's filters). Its answers
/// (the health check's 200, 400 for a header with an underscore, 403 when a required client address is missing) and
/// the client address it detects are the same on the event loop, the HTTP/1.1 relay and Kestrel.
/// </summary>
internal sealed class ListenerClientPolicy
{
    /// <summary>The header carrying the request ID, as Envoy names it.</summary>
    public const string RequestIdHeader = "x-request-id";

    private readonly ClientIpDetector? _detector;

    public ListenerClientPolicy(ClientTrafficIr ir)
    {
        Ir = ir;
        _detector = ir.ClientIpDetection is { } d ? new ClientIpDetector(d) : null;
        HealthCheckPath = ir.HealthCheckPath;
        Path = Policies.ClientTraffic.Path.PathNormalization.Create(ir);
        ForwardedClientCert = ir.ForwardedClientCert is { } xfcc ? new ForwardedClientCertPolicy(xfcc)
            : ForwardedClientCertPolicy.Sanitize;
        if (ir.EarlyRequestHeaders is { } early && HeaderEdits.Create([early]) is { } edits)
        {
            EarlyRequest = edits;
            EarlyEditsHost = edits.Touches("host");
            EarlyFitsHttp1 = edits.FitsHttp1() && !edits.Touches(RequestIdHeader) && !edits.Touches(Telemetry.Tracing.TraceParent.HeaderName)
                && !edits.Touches(Telemetry.Tracing.TraceParent.StateHeaderName);
        }
        LateResponse = ir.LateResponseHeaders is { } late ? HeaderEdits.Create([late]) : null;
    }

    /// <summary>
    /// <c>headers.earlyRequestHeaders</c>: run on the request first (after the underscore check, which belongs to the
    /// parser), so that path checks, client detection, the request ID, routing and every step see the edited headers.
    /// </summary>
    public HeaderEdits? EarlyRequest { get; }

    /// <summary>The early edits change Host (routing must read it again).</summary>
    public bool EarlyEditsHost { get; }

    /// <summary>
    /// The byte transports can run the early edits: plain values, and no header they read or write themselves (Host,
    /// X-Forwarded-*, the request ID, traceparent...); otherwise they hand the request to Kestrel, which runs them.
    /// </summary>
    public bool EarlyFitsHttp1 { get; }

    /// <summary><c>headers.lateResponseHeaders</c>: run on every response of the listener, after every other edit.</summary>
    public HeaderEdits? LateResponse { get; }

    /// <summary>The listener's path normalization (merge slashes, escaped slashes); null: paths are taken as sent.</summary>
    public Path.PathNormalization? Path { get; }

    /// <summary>The x-forwarded-client-cert header's handling (Sanitize without the policy's setting).</summary>
    public ForwardedClientCertPolicy ForwardedClientCert { get; }

    public ClientTrafficIr Ir { get; }

    /// <summary><c>headers.enableEnvoyHeaders</c>: every transport adds the x-envoy-* headers of <see cref="EnvoyHeaders"/>.</summary>
    public bool EnvoyHeaders => Ir.EnableEnvoyHeaders;

    public string? HealthCheckPath { get; }

    /// <summary>The peer is not appended to X-Forwarded-For.</summary>
    public bool DisableXffAppend => Ir.DisableXForwardedForAppend;

    public UnderscoresAction Underscores => Ir.WithUnderscores;

    public RequestIdMode RequestId => Ir.RequestId;

    /// <summary>
    /// Runs the listener's checks on a request whose headers with underscores were already handled (see
    /// <see cref="Underscores"/>): the health check answer, then client address detection (recorded in
    /// <paramref name="state"/>). Returns the gateway's own answer, or null to go on to routing.
    /// </summary>
    public LocalReply? Decide<TRequest>(in TRequest request, RequestPolicyState state) where TRequest : struct, IRequestView
    {
        if (HealthCheckPath is { } health && string.Equals(request.DecodedPath, health, StringComparison.Ordinal))
            return LocalReply.Empty(200);
        if (_detector is null) return null;
        var detected = _detector.Detect(request, state.PeerAddress);
        if (detected is not null) state.Detect(detected);
        else if (_detector.FailClosed) return LocalReply.Empty(403);
        return null;
    }

    /// <summary>The request ID the backend gets, given the client's (null: none); null: no x-request-id header at all.</summary>
    public string? EffectiveRequestId(string? client) => RequestId switch
    {
        RequestIdMode.Preserve => client,
        RequestIdMode.PreserveOrGenerate => string.IsNullOrEmpty(client) ? NewRequestId() : client,
        RequestIdMode.Disable => null,
        _ => NewRequestId(),
    };

    /// <summary>A random UUID (version 4), as Envoy generates request IDs.</summary>
    public static string NewRequestId() => Guid.NewGuid().ToString("D");

    /// <summary>Whether a header name has an underscore (the check of <see cref="Underscores"/>).</summary>
    public static bool HasUnderscore(ReadOnlySpan<byte> name) => name.IndexOf((byte)'_') >= 0;

    /// <summary>Whether a header name has an underscore (the check of <see cref="Underscores"/>).</summary>
    public static bool HasUnderscore(string name) => name.Contains('_', StringComparison.Ordinal);

    internal static IPAddress? Normalize(IPAddress? a) => a is { IsIPv4MappedToIPv6: true } ? a.MapToIPv4() : a;
}
