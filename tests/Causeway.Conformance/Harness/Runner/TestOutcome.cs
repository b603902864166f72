namespace Causeway.Conformance.Harness.Runner;

public enum OutcomeKind { Passed, Failed, Skipped }

/// <summary>The result of one corpus test.</summary>
public sealed record TestOutcome(string Name, IReadOnlyList<string> Features, OutcomeKind Kind, string? Reason, TimeSpan Duration)
{
    public static TestOutcome Skipped(string name, IReadOnlyList<string> features, string reason) => new(name, features, OutcomeKind.Skipped, reason, TimeSpan.Zero);
}
