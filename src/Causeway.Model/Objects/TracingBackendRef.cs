namespace Causeway.Model.Objects;

/// <summary>A Service (and port) that receives OTLP spans.</summary>
public sealed record TracingBackendRef
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public required string Name { get; init; }
    public string? Namespace { get; init; }
    public int? Port { get; init; }
}
