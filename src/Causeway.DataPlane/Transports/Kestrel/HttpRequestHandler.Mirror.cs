using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Transports.Kestrel;

internal sealed partial class HttpRequestHandler
{
    private static readonly HashSet<string> MirrorSkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Content-Type", "Content-Encoding", "Expect",
    };

    private static readonly string[] BodyHeaders = ["Content-Type", "Content-Encoding"];

    /// <summary>Whether the request carries a body that a mirror must receive too.</summary>
    private static bool MayHaveBody(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }) return false;
        return context.Request.ContentLength is not 0;
    }

    /// <summary>
    /// A mirrored request gets the same body as the real one. Bodies up to
    /// <see cref="DataPlaneOptions.MaxMirrorBufferedBodySize"/> (by Content-Length) are read once into a buffer, sent to
    /// every mirror, and replayed to the real backend. A longer or unsized (chunked) body is forwarded as it streams and
    /// not mirrored: a mirror without its body would be a different request.
    /// </summary>
    private async Task MirrorWithBodyThenForwardAsync(HttpContext context, List<BackendRuntime> mirrors, CompiledMatch match,
        int index, BackendRuntime backend, string? pinned)
    {
        var request = context.Request;
        var limit = _options.MaxMirrorBufferedBodySize;
        if (request.ContentLength is { } length && length <= limit)
        {
            byte[]? body = null;
            try
            {
                request.EnableBuffering(limit, limit);
                using var copy = new MemoryStream((int)length);
                await request.Body.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
                request.Body.Position = 0;
                body = copy.ToArray();
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
            {
                LogMirrorSkipped(match.Rule.Name, "the request body could not be read: " + ex.Message);
                return;
            }
            foreach (var mirror in mirrors) Mirror(context, mirror, body);
        }
        else
        {
            LogMirrorSkipped(match.Rule.Name, request.ContentLength is null
                ? "the request body has no Content-Length"
                : $"the request body is larger than {limit} bytes");
        }
        await Forward(context, match, index, backend, pinned).ConfigureAwait(false);
    }

    /// <summary>
    /// Fire-and-forget copy of the request (line, headers and the buffered <paramref name="body"/>, if any) to the mirror
    /// backend; the client never waits for it and its answer is discarded.
    /// </summary>
    private void Mirror(HttpContext context, BackendRuntime backend, byte[]? body)
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
            if (body is not null)
            {
                message.Content = new ByteArrayContent(body);
                foreach (var name in BodyHeaders)
                {
                    if (request.Headers.TryGetValue(name, out var value))
                        message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
                }
                message.Content.Headers.ContentLength = body.Length;
            }
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rule {Rule}: request not mirrored because {Reason}")]
    private partial void LogMirrorSkipped(string rule, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mirror to {Backend} failed: {Reason}")]
    private partial void LogMirrorError(string backend, string reason);
}
