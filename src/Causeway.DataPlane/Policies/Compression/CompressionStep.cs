using System.Globalization;
using System.IO.Compression;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Policies.Compression;

/// <summary>
/// BackendTrafficPolicy <c>compressor</c>: a backend response is compressed (gzip, brotli or zstd, whichever the client
/// prefers by q-value, ties in the policy's order) when it is of a compressible content type, at least the minimum
/// length (when known), not already encoded, not <c>Cache-Control: no-transform</c>, and has a body; it then carries
/// <c>Content-Encoding</c>, <c>Vary: Accept-Encoding</c>, no Content-Length, and a weak ETag — as Envoy's compressor
/// filter does. Kestrel only: it rewrites the body, which the byte transports relay untouched.
/// </summary>
internal sealed class CompressionStep(CompressionIr ir) : PipelineStep
{
    /// <summary>Envoy's default compressible content types.</summary>
    private static readonly string[] ContentTypes =
    [
        "text/html", "text/plain", "text/css", "application/javascript", "application/x-javascript", "text/javascript",
        "text/x-javascript", "text/ecmascript", "text/js", "text/jscript", "text/x-js", "application/ecmascript",
        "application/x-json", "application/xml", "application/json", "image/svg+xml", "text/xml", "application/xhtml+xml",
    ];

    public CompressionIr Ir { get; } = ir;

    public override StepStage Stage => StepStage.Response;

    public override TransportSet Transports => TransportSet.Kestrel;

    public override string Describe() =>
        $"compress {string.Join(",", Ir.Kinds.Select(k => k.ToString().ToLowerInvariant()))} min={Ir.MinContentLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Called with the backend's response headers copied to <paramref name="context"/>: starts compressing the body
    /// when the response qualifies (returns the stream to finish with <see cref="Finish"/>), else null.
    /// </summary>
    public CompressingBody? Begin(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (HttpMethods.IsHead(request.Method) || response.StatusCode is < 200 or 204 or 304) return null;
        var headers = response.Headers;
        if (!StringValues.IsNullOrEmpty(headers.ContentEncoding) && !string.Equals(headers.ContentEncoding, "identity", StringComparison.OrdinalIgnoreCase)) return null;
        if (response.ContentLength is { } length && length < Ir.MinContentLength) return null;
        if (!Compressible(headers.ContentType)) return null;
        foreach (var cc in headers.CacheControl)
            if (cc is not null && cc.Contains("no-transform", StringComparison.OrdinalIgnoreCase)) return null;
        if (Choose(request.Headers.AcceptEncoding) is not { } kind) return null;

        headers.ContentEncoding = Coding(kind);
        headers.ContentLength = null;
        headers.Append("Vary", "Accept-Encoding");
        if (headers.ETag is { Count: 1 } etag && etag[0] is { } tag && !tag.StartsWith("W/", StringComparison.Ordinal)) headers.ETag = "W/" + tag;
        var original = response.Body;
        Stream compressor = kind switch
        {
            CompressionKind.Gzip => new GZipStream(original, CompressionLevel.Fastest, leaveOpen: true),
            CompressionKind.Brotli => new BrotliStream(original, CompressionLevel.Fastest, leaveOpen: true),
            // Level 3: zstd's default, faster than gzip's fastest at a better ratio (Envoy's default strategy too).
            _ => new ZstdSharp.CompressionStream(original, level: 3, leaveOpen: true),
        };
        var body = new CompressingBody(compressor, original);
        response.Body = body;
        return body;
    }

    /// <summary>Ends the compressed body (its trailer) and gives the response its own stream back.</summary>
    public static async ValueTask Finish(HttpContext context, CompressingBody body)
    {
        context.Response.Body = body.Original;
        try
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away or the response was aborted: nothing left to end.
        }
    }

    private static bool Compressible(StringValues contentType)
    {
        if (contentType.Count != 1 || contentType[0] is not { } value) return false;
        var semicolon = value.IndexOf(';');
        var media = (semicolon < 0 ? value : value[..semicolon]).Trim();
        foreach (var t in ContentTypes)
            if (media.Equals(t, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The policy's encoding the client prefers (highest q; ties in the policy's order); null: none accepted.</summary>
    internal CompressionKind? Choose(StringValues acceptEncoding)
    {
        CompressionKind? best = null;
        var bestQ = 0.0;
        foreach (var kind in Ir.Kinds)
        {
            var q = Quality(acceptEncoding, Coding(kind));
            if (q > bestQ)
            {
                best = kind;
                bestQ = q;
            }
        }
        return best;
    }

    /// <summary>The content coding's name in Accept-Encoding and Content-Encoding.</summary>
    internal static string Coding(CompressionKind kind) => kind switch
    {
        CompressionKind.Gzip => "gzip",
        CompressionKind.Brotli => "br",
        _ => "zstd",
    };

    /// <summary>The q-value the client gives <paramref name="coding"/> (an explicit entry wins over <c>*</c>); 0 when not accepted.</summary>
    private static double Quality(StringValues header, string coding)
    {
        double? star = null;
        foreach (var line in header)
        {
            if (line is null) continue;
            foreach (var part in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var semicolon = part.IndexOf(';');
                var name = (semicolon < 0 ? part : part[..semicolon]).Trim();
                var q = 1.0;
                if (semicolon >= 0)
                {
                    var param = part[(semicolon + 1)..].Trim();
                    if (param.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(param.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed)) q = parsed;
                }
                if (name.Equals(coding, StringComparison.OrdinalIgnoreCase)) return q;
                if (name == "*") star = q;
            }
        }
        return star ?? 0;
    }
}

/// <summary>The response body while it is compressed: writes go through the compressor; flushes flush it (streaming).</summary>
internal sealed class CompressingBody(Stream compressor, Stream original) : Stream
{
    public Stream Original { get; } = original;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => compressor.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => compressor.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        compressor.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush()
    {
        compressor.Flush();
        Original.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await compressor.FlushAsync(cancellationToken).ConfigureAwait(false);
        await Original.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await compressor.DisposeAsync().ConfigureAwait(false);
        await Original.FlushAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
