using System.Net;
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
    }

    /// <summary>The listener's path normalization (merge slashes, escaped slashes); null: paths are taken as sent.</summary>
    public Path.PathNormalization? Path { get; }

    /// <summary>The x-forwarded-client-cert header's handling (Sanitize without the policy's setting).</summary>
    public ForwardedClientCertPolicy ForwardedClientCert { get; }

    public ClientTrafficIr Ir { get; }

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
