using System.Net;
using System.Text.Json.Nodes;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness;

// ============================================================================================================
// THE ADAPTER SEAM. Everything the harness needs from the rest of Causeway goes through this file:
//   * IGatewayUnderTest  - the standalone runtime (translator + data plane + status), fed Kubernetes objects;
//   * IEchoLauncher      - the echo backend (Causeway.Echo.EchoServer).
// HarnessAdapters.CreateGateway / CreateEchoLauncher are what the lead wires at merge time; until then they
// return null and every conformance test is reported as skipped with NotWiredReason.
// ============================================================================================================

/// <summary>A gateway implementation driven like a cluster: objects in, statuses and listening addresses out.</summary>
public interface IGatewayUnderTest : IAsyncDisposable
{
    /// <summary>Creates or replaces these objects (upsert by <see cref="KubeObject.Key"/>).</summary>
    Task ApplyAsync(IReadOnlyList<KubeObject> objects, CancellationToken ct);

    Task DeleteAsync(IReadOnlyList<ObjectKey> keys, CancellationToken ct);

    /// <summary>The object's status as kubectl would show it (camelCase JSON), or null when it has none (yet).</summary>
    JsonObject? GetStatus(ObjectKey key);

    /// <summary>The addresses the Gateway ns/name is reachable at (first one is dialled).</summary>
    IReadOnlyList<string> GatewayAddresses(string ns, string name);
}

/// <summary>Starts one echo-basic equivalent instance ("pod").</summary>
public interface IEchoLauncher
{
    /// <summary>Starts an echo instance bound to <paramref name="bind"/>, configured from <paramref name="env"/>;
    /// every stdout line goes to <paramref name="log"/>. Disposing stops it.</summary>
    Task<IAsyncDisposable> StartAsync(IPAddress bind, IReadOnlyDictionary<string, string?> env, Action<string> log, CancellationToken ct);
}

/// <summary>What the harness tells the runtime when creating it.</summary>
public sealed record GatewayUnderTestOptions(
    string ControllerName,
    string AddressPool,
    Action<string> Log);

/// <summary>The harness constants shared with the runtime.</summary>
public static class HarnessConstants
{
    public const string ControllerName = "gateway.causeway.dev/gatewayclass-controller";
    public const string GatewayClassName = "causeway-conformance";

    /// <summary>
    /// Second octet of the loopback networks this run uses (CAUSEWAY_CONFORMANCE_NET, default 20): Gateways get
    /// 127.N.0.0/16, backend pods 127.N+10.0.0/16, so two runs on one machine can use different networks.
    /// </summary>
    public static readonly int Network = int.TryParse(Environment.GetEnvironmentVariable("CAUSEWAY_CONFORMANCE_NET"), out var n) && n is > 0 and < 200 ? n : 20;

    /// <summary>Gateways get their own loopback addresses from here and keep their declared ports.</summary>
    public static readonly string GatewayAddressPool = $"127.{Network}.0.0/16";

    /// <summary>Backend pods (echo instances, DNS responder) get addresses from here.</summary>
    public static readonly string PodAddressPool = $"127.{Network + 10}.0.0/16";

    /// <summary>For GatewayStaticAddresses: an address inside the pool (usable) and one outside it (unusable).</summary>
    public static readonly string UsableStaticAddress = $"127.{Network}.255.254";
    public const string UnusableStaticAddress = "10.255.255.254";
}

/// <summary>Factories the lead wires to the real runtime and echo server.</summary>
public static class HarnessAdapters
{
    public const string NotWiredReason =
        "the standalone runtime / echo server adapters are not wired yet (Harness/GatewayUnderTest.cs)";

    /// <summary>Creates the gateway under test: Causeway's standalone runtime with the real data plane, in process.</summary>
    public static IGatewayUnderTest? CreateGateway(GatewayUnderTestOptions options) => new CausewayGatewayUnderTest(options);

    /// <summary>Creates the echo launcher: Causeway's built-in echo server.</summary>
    public static IEchoLauncher? CreateEchoLauncher() => new EchoLauncher();

    private sealed class EchoLauncher : IEchoLauncher
    {
        public async Task<IAsyncDisposable> StartAsync(IPAddress bind, IReadOnlyDictionary<string, string?> env, Action<string> log, CancellationToken ct)
        {
            var options = Causeway.Echo.EchoOptions.FromEnvironment(env) with { BindAddress = bind, Log = log };
            return await Causeway.Echo.EchoServer.StartAsync(options, ct);
        }
    }
}
