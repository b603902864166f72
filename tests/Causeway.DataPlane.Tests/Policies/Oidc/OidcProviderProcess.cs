using System.Diagnostics;
using Causeway.DataPlane.Tests.EndToEnd;

namespace Causeway.DataPlane.Tests.Policies.Oidc;

/// <summary>
/// The real OpenID provider the OIDC tests log in against: <c>node provider/index.mjs</c> (the certified
/// oidc-provider package, installed by <c>npm ci</c> in .ci/run) on a loopback address and a free port, stopped by
/// killing the process this helper started. A missing node or package fails the test, saying what to install.
/// </summary>
public sealed class OidcProviderProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private OidcProviderProcess(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public string Issuer { get; }

    public int Port => new Uri(Issuer).Port;

    public static string Directory => Path.Combine(CausewayRun.RepoRoot(), "tests", "Causeway.DataPlane.Tests", "Policies", "Oidc", "provider");

    public static async Task<OidcProviderProcess> StartAsync(string host, string clientId, string clientSecret, string redirectUri, int accessTokenTtlSeconds, int port = 0)
    {
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "oidc-provider")))
            throw new InvalidOperationException($"oidc-provider is not installed: run `npm ci` in {Directory} (.ci/run does)");
        var info = new ProcessStartInfo("node", ["index.mjs"])
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["HOST"] = host;
        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["CLIENT_ID"] = clientId;
        info.Environment["CLIENT_SECRET"] = clientSecret;
        info.Environment["REDIRECT_URIS"] = redirectUri;
        info.Environment["ACCESS_TOKEN_TTL"] = accessTokenTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node (Node.js 20+) is not installed; the OIDC tests need it to run oidc-provider", e);
        }
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLineAsync();
        // Node loading oidc-provider takes a second alone, far longer on a machine running every test assembly at once.
        var first = await Task.WhenAny(line, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != line || await line is not { } text || !text.StartsWith("listening ", StringComparison.Ordinal))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            string err;
            lock (errors) err = errors.ToString();
            throw new InvalidOperationException("oidc-provider did not start: " + err);
        }
        var provider = new OidcProviderProcess(process, text["listening ".Length..].Trim());
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } more) lock (provider._output) provider._output.AppendLine(more);
        });
        return provider;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close(); // the script stops when its stdin closes
            if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
