namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>urlRewrite.hostname</c>: <c>Header</c> (from a request header), <c>Backend</c> or <c>PathRegex</c>.</summary>
public sealed record HttpHostnameModifierSpec
{
    public string Type { get; init; } = "";
    public string? Header { get; init; }
    public RegexSubstitutionSpec? PathRegex { get; init; }
}
