using Causeway.Model;

namespace Causeway.Translation.Ir;

public enum CompressionKind { Gzip, Brotli, Zstd }

/// <summary>
/// BackendTrafficPolicy <c>compressor</c>: backend responses are compressed with the first of <see cref="Kinds"/> the
/// client accepts (by q-value, then this order), when they are at least <see cref="MinContentLength"/> bytes of a
/// compressible content type and not already encoded.
/// </summary>
public sealed record CompressionIr
{
    public required EquatableArray<CompressionKind> Kinds { get; init; }
    public long MinContentLength { get; init; } = 30;
}
