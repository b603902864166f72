using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Causeway.DataPlane.Tests.Policies.GlobalRateLimit;

/// <summary>
/// A real <c>redis-server</c> (the Debian package; .ci/run installs it) on a loopback address and a free port, without
/// persistence, killed when disposed. It can be paused (SIGSTOP: connections stay open, nothing answers), killed and
/// started again on the same port. A missing redis-server fails the test.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(IPAddress address, int port, string? password)
    {
        Address = address;
        Port = port;
        Password = password;
    }

    public IPAddress Address { get; }

    public int Port { get; }

    public string? Password { get; }

    /// <summary>The URL for <c>--rate-limit-redis</c>.</summary>
    public string Url => Password is null ? $"redis://{Address}:{Port}" : $"redis://default:{Password}@{Address}:{Port}";

    public static async Task<RedisServer> StartAsync(string address, string? password = null)
    {
        var ip = IPAddress.Parse(address);
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(ip, 0));
            var server = new RedisServer(ip, ((IPEndPoint)probe.LocalEndPoint!).Port, password);
            probe.Close();
            await server.StartAgainAsync();
            return server;
        }
    }

    private static string Binary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var path = Path.Combine(dir, "redis-server");
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; .ci/run does it)");
    }

    /// <summary>Starts the server (again, on the same port) and waits until it answers PING; bounded.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Binary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--bind", Address.ToString(), "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning"])
            start.ArgumentList.Add(a);
        if (Password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(Password);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (await PingAsync()) return;
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} (port {Port} taken?)");
            if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"redis-server on {Address}:{Port} did not answer within 10 s");
            await Task.Delay(50);
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.ConnectAsync(new IPEndPoint(Address, Port), cts.Token);
            var ping = Password is null ? "PING\r\n" : $"AUTH {Password}\r\nPING\r\n";
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(ping), cts.Token);
            var buffer = new byte[256];
            var text = "";
            while (!text.Contains("+PONG", StringComparison.Ordinal))
            {
                var n = await socket.ReceiveAsync(buffer, cts.Token);
                if (n == 0) return false;
                text += System.Text.Encoding.ASCII.GetString(buffer, 0, n);
            }
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGSTOP: the server keeps its connections but answers nothing until <see cref="Resume"/> or <see cref="KillAsync"/>.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        Assert.True(kill.WaitForExit(10_000), "kill did not finish");
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL, and waits for the process to be gone (its port closed).</summary>
    public async Task KillAsync()
    {
        if (_process is not { } p) return;
        _process = null;
        try
        {
            if (!p.HasExited) p.Kill();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await p.WaitForExitAsync(cts.Token);
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
