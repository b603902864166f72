using Causeway.Model;
using Causeway.Model.Objects;

namespace Causeway.Translation.Status;

/// <summary>An Envoy Gateway Backend's status: its conditions (<c>Accepted</c>).</summary>
public sealed record EnvoyBackendStatus
{
    public EquatableArray<Condition> Conditions { get; init; }
}
