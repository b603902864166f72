using System.Diagnostics;
using System.Text.RegularExpressions;
using Causeway.Kubernetes.Api;
using Causeway.Kubernetes.Tests.Wiring;

namespace Causeway.Kubernetes.Tests.Kubectl;

/// <summary>
/// The seed's Kubernetes workflow, typed as a user would: install with <c>causeway install | kubectl apply
/// --server-side -f -</c>, apply the seed's manifests, read the Gateway's CLB address with <c>kubectl get gtw</c>, wait
/// for Programmed, list the routes, describe the Gateway and delete it; against the fake API server with the controller
/// running in-process and the cloud's load balancer simulated by patching the proxy Service's status.
/// </summary>
public sealed class KubectlSeedWorkflowTests
{
    // The CLB address the seed's `kubectl get gtw` shows.
    private const string ClbAddress = "139.155.64.52";

    [Fact]
    public async Task SeedWorkflow_InstallApplyGetWaitDescribeDelete()
    {
        await using var h = await Harness.StartAsync();
        using var kubectl = new KubectlRunner(h.Server);

        // causeway install | kubectl apply --server-side -f -
        var bundle = await CausewayInstallAsync("--gateway-api-crds", "experimental");
        var install = kubectl.Ok(await kubectl.RunAsync(["apply", "--server-side", "-f", "-"], bundle));
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io serverside-applied", install.Stdout);
        Assert.Contains("deployment.apps/causeway serverside-applied", install.Stdout);
        Assert.Contains("namespace/causeway-system serverside-applied", install.Stdout);
        await h.StartControllerAsync();

        // The seed's manifests (GatewayClass eg, Gateway test-gw with HTTP, HTTPS, TCP and UDP listeners, routes, backends).
        var apply = await kubectl.OkAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "testdata", "seed-l4-l7-one-gateway.in.yaml"));
        Assert.Contains("gatewayclass.gateway.networking.k8s.io/eg created", apply.Stdout);
        Assert.Contains("gateway.gateway.networking.k8s.io/test-gw created", apply.Stdout);
        Assert.Contains("tcproute.gateway.networking.k8s.io/foo created", apply.Stdout);

        // Before the cloud assigns an address: no ADDRESS, not Programmed.
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Services, "test", "causeway-test-gw") is not null, "proxy Service causeway-test-gw");
        var pending = await kubectl.OkAsync("get", "gtw", "-n", "test");
        Assert.Matches(new Regex(@"^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\ntest-gw\s+eg\s+(False|Unknown)\s+\d+s\n$"), pending.Stdout);

        // The cloud's load balancer gets its address (what the cloud controller writes into the Service status).
        await kubectl.OkAsync("patch", "service", "causeway-test-gw", "-n", "test", "--subresource=status", "--type=merge",
            "-p", """{"status":{"loadBalancer":{"ingress":[{"ip":"IP"}]}}}""".Replace("IP", ClbAddress, StringComparison.Ordinal));

        var wait = await kubectl.OkAsync("wait", "--for=condition=Programmed", "gateway/test-gw", "-n", "test", "--timeout=30s");
        Assert.Equal("gateway.gateway.networking.k8s.io/test-gw condition met\n", wait.Stdout);

        // kubectl get gtw test-gw -n test, exactly as the seed shows it.
        var get = await kubectl.OkAsync("get", "gtw", "test-gw", "-n", "test");
        Assert.Matches(new Regex($@"^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\ntest-gw   eg      {Regex.Escape(ClbAddress)}   True         \d+s\n$"), get.Stdout);

        var routes = await kubectl.OkAsync("get", "httproute,tcproute,udproute", "-A");
        Assert.Matches(new Regex(@"NAMESPACE\s+NAME\s+HOSTNAMES\s+AGE\ntest\s+httproute.gateway.networking.k8s.io/test\s+\[""test.example.com""\]\s+\d+s"), routes.Stdout);
        Assert.Matches(new Regex(@"NAMESPACE\s+NAME\s+AGE\ndefault\s+tcproute.gateway.networking.k8s.io/foo\s+\d+s"), routes.Stdout);
        Assert.Matches(new Regex(@"NAMESPACE\s+NAME\s+AGE\ndefault\s+udproute.gateway.networking.k8s.io/foo\s+\d+s"), routes.Stdout);

        var describe = await kubectl.OkAsync("describe", "gateway", "test-gw", "-n", "test");
        Assert.Matches(new Regex(@"(?m)^Name:\s+test-gw$"), describe.Stdout);
        Assert.Matches(new Regex(@"(?m)^Kind:\s+Gateway$"), describe.Stdout);
        Assert.Matches(new Regex($@"(?m)^\s+Value:\s+{Regex.Escape(ClbAddress)}$"), describe.Stdout);
        Assert.Matches(new Regex(@"(?m)^\s+Type:\s+Programmed$"), describe.Stdout);
        Assert.Contains("Events:", describe.Stdout);

        // The proxy fleet exists, and goes with its Gateway.
        var infra = await kubectl.OkAsync("get", "deployment,service", "-n", "test", "-o", "name");
        Assert.Contains("deployment.apps/causeway-test-gw", infra.Stdout);
        Assert.Contains("service/causeway-test-gw", infra.Stdout);
        var delete = await kubectl.OkAsync("delete", "gateway", "test-gw", "-n", "test");
        Assert.Equal("gateway.gateway.networking.k8s.io \"test-gw\" deleted\n", delete.Stdout);
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Deployments, "test", "causeway-test-gw") is null, "proxy Deployment deleted");
        var after = await kubectl.OkAsync("get", "deployment,service", "-n", "test", "-o", "name");
        Assert.DoesNotContain("causeway-test-gw", after.Stdout);
        Assert.Contains("service/nginx", after.Stdout);
        var gone = await kubectl.RunAsync("get", "gateway", "test-gw", "-n", "test");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("gateways.gateway.networking.k8s.io \"test-gw\" not found", gone.Stderr);
    }

    /// <summary>The bundle as <c>causeway install ARGS</c> prints it (the real CLI, as a child process).</summary>
    internal static async Task<string> CausewayInstallAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ProxyProcess.CausewayDll());
        psi.ArgumentList.Add("install");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start causeway");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(p.ExitCode == 0, $"causeway install exited {p.ExitCode}: {await stderr}");
        return await stdout;
    }
}
