using Causeway.DataPlane.Policies.ClientTraffic;
using Causeway.DataPlane.Policies.ClientTraffic.Path;
using Microsoft.AspNetCore.Http.Features;
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
    /// <summary>Headers with underscores, the early header edits, path normalization, the health check, client detection, then the request ID; an answer or null.</summary>
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
        // The listener's early edits, before anything else reads the request (path checks, client detection, request ID, routing).
        policy.EarlyRequest?.Apply(request.Headers);
        if (policy.Path is { } normalization)
        {
            // Checked on the path as sent (Kestrel's Path has %5C decoded already); rewritten on Kestrel's decoded path.
            var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target ? target.AsSpan() : (request.Path.Value ?? "/").AsSpan();
            var q = raw.IndexOf('?');
            var rawPath = q < 0 ? raw : raw[..q];
            switch (normalization.Check(rawPath))
            {
                case PathVerdict.Reject:
                    return LocalReply.Empty(StatusCodes.Status400BadRequest);
                case PathVerdict.Redirect:
                    return normalization.Redirect(rawPath, request.QueryString.Value);
                case PathVerdict.Rewrite:
                    request.Path = new PathString(normalization.Normalize(request.Path.Value ?? "/"));
                    break;
            }
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
            peer = policy.ForwardedClientCert.Peer(cert, PeerCertificates.LocalOf(context.Features));
        var value = policy.ForwardedClientCert.Value(client.Count == 0 ? null : client.ToString(), peer);
        if (value is null) headers.Remove(name);
        else headers[name] = value;
    }
}
