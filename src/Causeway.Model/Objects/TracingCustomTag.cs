namespace Causeway.Model.Objects;

/// <summary>
/// A custom span tag: <c>type</c> Literal (<see cref="Literal"/>), Environment (a variable of the proxy's
/// environment) or RequestHeader (a header of the request), the latter two with a default value.
/// </summary>
public sealed record TracingCustomTag
{
    public string Type { get; init; } = "Literal";
    public LiteralCustomTag? Literal { get; init; }
    public NamedCustomTag? Environment { get; init; }
    public NamedCustomTag? RequestHeader { get; init; }
}
