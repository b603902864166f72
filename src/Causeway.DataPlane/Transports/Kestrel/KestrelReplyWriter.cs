using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>Writes a <see cref="LocalReply"/> on a Kestrel response (the Kestrel transport's one reply writer).</summary>
internal static class KestrelReplyWriter
{
    /// <param name="overridden">The reply already replaces a backend's response (a policy's response override).</param>
    public static Task WriteAsync(HttpContext context, LocalReply reply, bool overridden = false)
    {
        if (!overridden && context.Features.Get<KestrelExchange>() is { Match.Rule.ResponseOverride: { } responseOverride } exchange
            && responseOverride.ForLocal(reply, new KestrelOverrideRequest(context, exchange)) is { } replaced) reply = replaced;
        context.Features.Set(reply); // for the completion hook: the gateway answered itself
        var response = context.Response;
        response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers) response.Headers.Append(name, value);
        if (reply.ContentType is { } type) response.ContentType = type;
        response.ContentLength = reply.Body.Length;
        if (reply.Body.Length == 0 || HttpMethods.IsHead(context.Request.Method)) return Task.CompletedTask;
        return response.Body.WriteAsync(reply.Body).AsTask();
    }
}
