using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>One entry of BackendTrafficPolicy <c>spec.compressor</c> (or the deprecated <c>spec.compression</c>).</summary>
public sealed record CompressorSpec
{
    public string? Type { get; init; }
    public JsonElement? Gzip { get; init; }
    public JsonElement? Brotli { get; init; }
    public JsonElement? Zstd { get; init; }
    public JsonElement? MinContentLength { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
