using Causeway.DataPlane.Policies.ClientTraffic;
using Causeway.DataPlane.Policies.ClientTraffic.ForwardedClientCert;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>
/// The listener's ClientTrafficPolicy on the Kestrel transport (HTTP/1.1, HTTP/2), before routing: the same
/// <see cref="ListenerClientPolicy"/> the byte transports run, applied to Kestrel's request headers.
/// </summary>
internal sealed partial class HttpRequestHandler
{
    /// <summary>Headers with underscores, the health check, client detection, then the request ID; an answer or null.</summary>
    private static LocalReply? ApplyClientPolicy(ListenerClientPolicy policy, HttpRequest request, HttpRequestView view, RequestPolicyState state)
    {
        if (policy.Underscores != UnderscoresAction.Allow)
        {
            List<string>? drop = null;
            foreach (var header in request.Headers)
            {
                if (!ListenerClientPolicy.HasUnderscore(header.Key)) continue;
                if (policy.Underscores == UnderscoresAction.RejectRequest) return LocalReply.Empty(StatusCodes.Status400BadRequest);
                (drop ??= []).Add(header.Key);
            }
            if (drop is not null)
                foreach (var name in drop) request.Headers.Remove(name);
        }
        if (policy.Decide(view, state) is { } reply) return reply;
        var client = request.Headers[ListenerClientPolicy.RequestIdHeader];
        var id = policy.EffectiveRequestId(client.Count == 0 ? null : client[0]);
        if (id is null) request.Headers.Remove(ListenerClientPolicy.RequestIdHeader);
        else request.Headers[ListenerClientPolicy.RequestIdHeader] = id;
        return null;
    }

    /// <summary>The x-forwarded-client-cert header the backend gets: the listener's policy's, else none (sanitized).</summary>
    private static void ApplyForwardedClientCert(ListenerClientPolicy? policy, HttpContext context)
    {
        const string name = ForwardedClientCertPolicy.HeaderName;
        var headers = context.Request.Headers;
        if (policy is null || policy.ForwardedClientCert.AlwaysRemoves)
        {
            headers.Remove(name);
            return;
        }
        var client = headers[name];
        PeerCertificates? peer = null;
        if (context.Connection.ClientCertificate is { } cert)
            peer = policy.ForwardedClientCert.Peer(cert, context.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ISslStreamFeature>()?.SslStream.LocalCertificate);
        var value = policy.ForwardedClientCert.Value(client.Count == 0 ? null : client.ToString(), peer);
        if (value is null) headers.Remove(name);
        else headers[name] = value;
    }
}
