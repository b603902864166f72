using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Policies.ClientTraffic.Connection;

/// <summary>
/// The requests a Kestrel connection served and when it opened, kept in the connection's items (created on its first
/// request, only on ports whose <see cref="ClientConnectionPolicy"/> limits reuse), so the Kestrel pipeline applies
/// the same <see cref="ClientConnectionPolicy.CloseAfter"/> as the byte transports: HTTP/1.1 answers its last request
/// with <c>Connection: close</c>; HTTP/2 is asked to close gracefully (GOAWAY, requests in flight finish).
/// </summary>
internal sealed class KestrelConnectionUse
{
    private static readonly object Key = new();
    private readonly long _opened = Environment.TickCount64;
    private long _served;

    /// <summary>Counts <paramref name="context"/>'s request against its connection; closes the connection after it when the policy says so.</summary>
    public static void Count(HttpContext context, ClientConnectionPolicy policy)
    {
        if (policy is { MaxRequests: 0, MaxDurationMs: 0 }) return;
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is null) return;
        if (!items.TryGetValue(Key, out var value) || value is not KestrelConnectionUse use) items[Key] = use = new KestrelConnectionUse();
        if (!policy.CloseAfter(Interlocked.Increment(ref use._served), use._opened, Environment.TickCount64)) return;
        if (Microsoft.AspNetCore.Http.HttpProtocol.IsHttp2(context.Request.Protocol) || Microsoft.AspNetCore.Http.HttpProtocol.IsHttp3(context.Request.Protocol))
            context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
        else
            context.Response.Headers.Connection = "close";
    }
}
