namespace Causeway.Model.Objects;

/// <summary>A custom tag with a fixed value.</summary>
public sealed record LiteralCustomTag
{
    public string Value { get; init; } = "";
}
