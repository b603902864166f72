using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>A Kestrel request as a response override sees it (the client's request: rewrites change only the proxied copy).</summary>
internal readonly struct KestrelOverrideRequest(HttpContext context, KestrelExchange? exchange) : Policies.ResponseOverride.IOverrideRequest
{
    public string Location(RedirectIr redirect) =>
        Filters.RedirectBuilder.Location(redirect, context.Request, exchange?.Match?.MatchedPrefix,
            exchange is { ListenerPort: > 0 } e ? e.ListenerPort : context.Connection.LocalPort);
}
