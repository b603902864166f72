using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// A TCPRoute's EndpointSlices rewritten while clients keep connecting (<c>causeway run</c> reading files): no
/// connection fails while an endpoint stays, an endpoint that leaves (slice removed, or terminating) gets no new
/// connection, and one that joins gets connections.
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class L4EndpointChurnTests(ITestOutputHelper output)
{
    private const int Pool = 123;
    private const int ListenerPort = 9400;

    /// <summary>A pod: a TCP server that writes its name to every connection and closes it.</summary>
    private sealed class Pod : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly byte[] _name;
        private int _connections;

        public Pod(string address, string name)
        {
            _name = Encoding.ASCII.GetBytes(name + "\n");
            _listener = new TcpListener(IPAddress.Parse(address), 0);
            _listener.Start(256);
            Address = address;
            _ = AcceptAsync();
        }

        public string Address { get; }
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var s = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = Task.Run(async () =>
                    {
                        using (s)
                        {
                            try
                            {
                                await s.SendAsync(_name, SocketFlags.None);
                                s.Shutdown(SocketShutdown.Send);
                                var buffer = new byte[64];
                                while (await s.ReceiveAsync(buffer, SocketFlags.None) > 0) { }
                            }
                            catch (SocketException)
                            {
                            }
                        }
                    });
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            return ValueTask.CompletedTask;
        }
    }

    private static string Slice(Pod pod, int index, string conditions) => $"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: churn-{index}
          namespace: test
          labels:
            kubernetes.io/service-name: churn
        addressType: IPv4
        ports:
        - name: tcp
          port: {pod.Port}
          protocol: TCP
        endpoints:
        - addresses: ["{pod.Address}"]
          conditions: {conditions}
        ---

        """;

    private const string Ready = "{ready: true, serving: true, terminating: false}";
    private const string Terminating = "{ready: false, serving: true, terminating: true}";

    private static string Base => Manifests.GatewayClass + "---\n" + $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gw
          namespace: test
        spec:
          gatewayClassName: eg
          listeners:
          - name: tcp
            protocol: TCP
            port: {ListenerPort}
            allowedRoutes:
              kinds:
              - kind: TCPRoute
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: churn
          namespace: test
        spec:
          ports:
          - name: tcp
            port: 80
            protocol: TCP
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: TCPRoute
        metadata:
          name: churn
          namespace: test
        spec:
          parentRefs:
          - name: gw
            sectionName: tcp
          rules:
          - backendRefs:
            - name: churn
              port: 80

        """;

    /// <summary>One connection through the gateway: the name of the pod that answered, or why none did.</summary>
    private static async Task<(string? Pod, string? Error)> ConnectOnceAsync(IPAddress gateway)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(new IPEndPoint(gateway, ListenerPort), timeout.Token);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var line = await reader.ReadLineAsync(timeout.Token);
            return string.IsNullOrEmpty(line) ? (null, "closed without a pod's name") : (line, null);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return (null, e.GetType().Name + " " + e.Message);
        }
    }

    [Fact]
    public async Task Slices_changing_under_connections_fail_none_and_leaving_endpoints_get_no_new_connections()
    {
        var pods = new[]
        {
            new Pod("127.63.123.11", "pod-1"), new Pod("127.63.123.12", "pod-2"), new Pod("127.63.123.13", "pod-3"),
        };
        try
        {
            string Slices(params (int Pod, string State)[] members) => string.Concat(members.Select(m => Slice(pods[m.Pod - 1], m.Pod, m.State)));
            await using var run = await CausewayRun.StartAsync("", Pool, d =>
            {
                File.WriteAllText(Path.Combine(d, "base.yaml"), Base);
                File.WriteAllText(Path.Combine(d, "slices.yaml"), Slices((1, Ready), (2, Ready)));
            });
            await E2e.EventuallyAsync(async () => (await ConnectOnceAsync(run.GatewayAddress)).Pod is not null, E2e.Timeout, "the TCP route");

            using var stop = new CancellationTokenSource();
            long ok = 0;
            var failures = new ConcurrentQueue<string>();
            var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var (pod, error) = await ConnectOnceAsync(run.GatewayAddress);
                    if (pod is not null) Interlocked.Increment(ref ok);
                    else failures.Enqueue(error!);
                }
            })).ToList();

            async Task NoNewConnectionsAsync(int pod, string why)
            {
                await Task.Delay(700); // the change is applied and connections already made to the pod are over
                var before = pods[pod - 1].Connections;
                var okBefore = Interlocked.Read(ref ok);
                await Task.Delay(1500);
                Assert.True(Interlocked.Read(ref ok) > okBefore + 20, $"connections kept flowing while checking {why}");
                Assert.True(pods[pod - 1].Connections == before, $"pod-{pod} got {pods[pod - 1].Connections - before} new connections after {why}");
            }

            await Task.Delay(500);
            run.SaveLikeEditor("slices.yaml", Slices((1, Ready), (2, Ready), (3, Ready)));   // scale out
            await E2e.EventuallyAsync(() => Task.FromResult(pods[2].Connections > 0), E2e.Timeout, "pod-3 gets connections");

            run.SaveLikeEditor("slices.yaml", Slices((1, Ready), (3, Ready)));               // pod-2's slice deleted
            await NoNewConnectionsAsync(2, "its slice was removed");

            run.SaveLikeEditor("slices.yaml", Slices((1, Terminating), (3, Ready)));         // pod-1 shuts down
            await NoNewConnectionsAsync(1, "it started terminating");

            await stop.CancelAsync();
            var all = Task.WhenAll(loops);
            Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20))));
            output.WriteLine($"{ok} ok, {failures.Count} failed; per pod: {string.Join(", ", pods.Select(p => $"{p.Address}={p.Connections}"))}");
            foreach (var f in failures.Take(10)) output.WriteLine("failure: " + f);
            Assert.Empty(failures);
            Assert.True(ok > 100, $"only {ok} connections completed");
            Assert.Equal(0, await run.StopAsync());
        }
        finally
        {
            foreach (var p in pods) await p.DisposeAsync();
        }
    }
}
