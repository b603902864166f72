namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>urlRewrite.path</c>: <c>type: ReplaceRegexMatch</c> with a pattern and its substitution.</summary>
public sealed record HttpPathModifierSpec
{
    public string Type { get; init; } = "";
    public RegexSubstitutionSpec? ReplaceRegexMatch { get; init; }
}
