using Causeway.Translation.Ir;

namespace Causeway.Providers.Runtime;

/// <summary>
/// What the standalone runtime needs from a data plane: apply the IR of every Gateway (the full set; Gateways absent
/// from the list are torn down) and report the listeners it could not bind.
/// </summary>
public interface IGatewayDataPlane : IAsyncDisposable
{
    Task<DataPlaneApplyResult> ApplyAsync(IReadOnlyList<GatewayIr> gateways, CancellationToken ct);
}

/// <summary>
/// The result of one data-plane apply. <see cref="ListenerFailures"/> is the complete set of failing listeners
/// (<c>ns/gateway/listener</c> -> reason) after the apply, not a delta.
/// </summary>
public sealed record DataPlaneApplyResult(IReadOnlyDictionary<string, string> ListenerFailures)
{
    public static DataPlaneApplyResult Ok { get; } = new(new Dictionary<string, string>());
}
