using Causeway.Providers.Runtime;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.Providers.Runtime;

/// <summary>Adapts the HTTP/L4 data plane to the runtime's <see cref="IGatewayDataPlane"/>. </summary>
public sealed class DataPlaneAdapter(Causeway.DataPlane.DataPlane dataPlane) : IGatewayDataPlane
{
    public static IGatewayDataPlane Create(ILoggerFactory loggerFactory, Causeway.DataPlane.DataPlaneOptions? options = null) =>
        new DataPlaneAdapter(new Causeway.DataPlane.DataPlane(options ?? new Causeway.DataPlane.DataPlaneOptions(), loggerFactory));

    public async Task<DataPlaneApplyResult> ApplyAsync(IReadOnlyList<GatewayIr> gateways, CancellationToken ct)
    {
        var report = await dataPlane.ApplyAsync(gateways, ct);
        return new DataPlaneApplyResult(report.ListenerFailures);
    }

    public ValueTask DisposeAsync() => dataPlane.DisposeAsync();
}
