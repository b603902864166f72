namespace Causeway.Translation.Ir;

/// <summary>A claim (dotted path for nested claims) copied into a request header for the backend.</summary>
public sealed record ClaimToHeaderIr(string Claim, string Header);
