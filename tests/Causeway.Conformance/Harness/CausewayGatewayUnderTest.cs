using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Model.Objects;
using Causeway.Providers.Runtime;
using Causeway.Translation.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Conformance.Harness;

/// <summary>The gateway under test: a standalone runtime (translator + real data plane) fed through the in-memory provider.</summary>
internal sealed class CausewayGatewayUnderTest : IGatewayUnderTest
{
    private readonly StandaloneRuntime _runtime;
    private readonly InMemoryProvider _provider;

    public CausewayGatewayUnderTest(GatewayUnderTestOptions options)
    {
        ILoggerFactory logs = NullLoggerFactory.Instance;
        _runtime = new StandaloneRuntime(
            new StandaloneRuntimeOptions { ControllerNames = [options.ControllerName], AddressPool = options.AddressPool },
            DataPlaneAdapter.Create(logs),
            logs,
            TimeProvider.System);
        _provider = new InMemoryProvider(_runtime);
    }

    public async Task ApplyAsync(IReadOnlyList<KubeObject> objects, CancellationToken ct) => await _provider.Apply(objects, ct);

    public async Task DeleteAsync(IReadOnlyList<ObjectKey> keys, CancellationToken ct) => await _provider.Delete(keys, ct);

    public JsonObject? GetStatus(ObjectKey key)
    {
        var state = _runtime.Current;
        var status = state?.Result.Statuses.FirstOrDefault(s => s.Key == key);
        return status is null ? null : JsonSerializer.SerializeToNode(status.Status, status.Status.GetType(), ResultWriter.Json) as JsonObject;
    }

    public IReadOnlyList<string> GatewayAddresses(string ns, string name) =>
        _runtime.Current?.AssignedAddresses.TryGetValue($"{ns}/{name}", out var a) == true ? a : [];

    public ValueTask DisposeAsync() => _runtime.DisposeAsync();
}
