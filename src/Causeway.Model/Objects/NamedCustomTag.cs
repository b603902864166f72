namespace Causeway.Model.Objects;

/// <summary>A custom tag taken from an environment variable or a request header, <see cref="DefaultValue"/> when absent.</summary>
public sealed record NamedCustomTag
{
    public required string Name { get; init; }
    public string? DefaultValue { get; init; }
}
