namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record RegexSubstitutionSpec
{
    public string Pattern { get; init; } = "";
    public string Substitution { get; init; } = "";
}
