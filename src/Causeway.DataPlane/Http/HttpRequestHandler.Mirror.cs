using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Http;

internal sealed partial class HttpRequestHandler
{
    private static readonly HashSet<string> MirrorSkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Content-Type", "Content-Encoding", "Expect",
    };

    /// <summary>
    /// Fire-and-forget copy of the request line and headers to the mirror backend; the client never waits for it
    /// and its answer is discarded. The request body is not mirrored (it streams once, to the real backend).
    /// </summary>
    private void Mirror(HttpContext context, BackendRuntime backend)
    {
        var prefix = backend.NextPrefix();
        if (prefix is null) return;
        var request = context.Request;
        HttpRequestMessage message;
        try
        {
            message = new HttpRequestMessage(HttpMethod.Parse(request.Method), prefix + request.Path.ToUriComponent() + request.QueryString.ToUriComponent())
            {
                Version = backend.RequestConfig.Version ?? System.Net.HttpVersion.Version11,
                VersionPolicy = backend.RequestConfig.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
            };
            foreach (var h in request.Headers)
            {
                if (h.Key.StartsWith(':') || MirrorSkippedHeaders.Contains(h.Key)) continue;
                message.Headers.TryAddWithoutValidation(h.Key, (IEnumerable<string?>)h.Value);
            }
            message.Headers.Host = request.Host.Value;
        }
        catch (Exception ex)
        {
            LogMirrorError(backend.Id, ex.Message);
            return;
        }
        _ = SendMirrorAsync(backend, message);
    }

    private async Task SendMirrorAsync(BackendRuntime backend, HttpRequestMessage message)
    {
        using var cts = new CancellationTokenSource(_options.MirrorTimeout);
        try
        {
            using var response = await backend.Invoker.SendAsync(message, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogMirrorError(backend.Id, ex.Message);
        }
        finally
        {
            message.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mirror to {Backend} failed: {Reason}")]
    private partial void LogMirrorError(string backend, string reason);
}
