namespace Causeway.Model.Schema;

/// <summary>
/// A CEL <c>x-kubernetes-validations</c> rule found in a CRD that this implementation cannot evaluate
/// (parse failure or use of an unsupported function). Such rules are skipped at validation time.
/// </summary>
/// <param name="Kind">Kind of the CRD declaring the rule.</param>
/// <param name="Version">API version (e.g. <c>v1</c>) of the schema declaring the rule.</param>
/// <param name="Path">Schema path of the node declaring the rule, e.g. <c>spec.rules[]</c>.</param>
/// <param name="Rule">The rule text.</param>
/// <param name="Why">Why the rule is unsupported.</param>
public sealed record UnsupportedRule(string Kind, string Version, string Path, string Rule, string Why);
