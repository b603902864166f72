using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Causeway.DataPlane.Policies.RequestBuffer;

/// <summary>
/// BackendTrafficPolicy <c>requestBuffer</c>: each request is received whole before anything goes upstream, and one
/// larger than the limit is answered 413 (Envoy's buffer filter). A Content-Length over the limit is refused at once
/// on every transport that runs the step. The event loop only serves requests whose body it has already buffered
/// (it hands chunked and large bodies on), so the decision is all it needs; the Kestrel pipeline reads the body into
/// memory with <see cref="BufferAsync"/>. The HTTP/1.1 relay streams bodies, so it hands these routes on.
/// </summary>
internal sealed class RequestBufferStep(long limit) : DecideStep
{
    private static readonly ReadOnlyMemory<byte> TooLarge = "Payload Too Large"u8.ToArray();

    public long Limit { get; } = limit;

    public override StepStage Stage => StepStage.RouteFilters;

    public override TransportSet Transports => TransportSet.EventLoop | TransportSet.Kestrel;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (!request.TryGetHeader("Content-Length", out var values) || values.Count != 1
            || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= Limit)
            return StepVerdict.Continue;
        reply = Reply();
        return StepVerdict.Reply;
    }

    public static LocalReply Reply() => new(StatusCodes.Status413PayloadTooLarge) { Body = TooLarge, ContentType = "text/plain" };

    /// <summary>
    /// Reads the whole body into memory (up to the limit) so the backend gets it in one piece and can be retried;
    /// false when it is larger (the caller answers 413) or the client went away.
    /// </summary>
    public async Task<bool> BufferAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }) return true;
        var request = context.Request;
        if (request.ContentLength is 0) return true;
        if (request.ContentLength > Limit) return false;
        var threshold = (int)Math.Min(Limit, 64 * 1024);
        request.EnableBuffering(threshold, Limit);
        try
        {
            await request.Body.DrainAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return false; // FileBufferingReadStream: the body went over bufferLimit
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return false;
        }
        request.Body.Position = 0;
        return true;
    }

    public override string Describe() => "request-buffer limit=" + Limit.ToString(CultureInfo.InvariantCulture);
}
