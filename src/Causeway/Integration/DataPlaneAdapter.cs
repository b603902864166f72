using Causeway.Providers.Runtime;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Integration;

/// <summary>Adapts the HTTP/L4 data plane to the runtime's <see cref="IGatewayDataPlane"/>. Compiled once merged.</summary>
internal sealed class DataPlaneAdapter(Causeway.DataPlane.DataPlane dataPlane) : IGatewayDataPlane
{
    public static IGatewayDataPlane Create(ILoggerFactory loggerFactory) =>
        new DataPlaneAdapter(new Causeway.DataPlane.DataPlane(loggerFactory));

    public async Task<DataPlaneApplyResult> ApplyAsync(IReadOnlyList<GatewayIr> gateways, CancellationToken ct)
    {
        var report = await dataPlane.ApplyAsync(gateways, ct);
        return new DataPlaneApplyResult(report.ListenerFailures);
    }

    public ValueTask DisposeAsync() => dataPlane.DisposeAsync();
}
