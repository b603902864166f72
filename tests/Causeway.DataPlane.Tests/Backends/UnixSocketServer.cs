using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>An HTTP/1.1 server (Kestrel) on a Unix domain socket in a temp directory; answers <c>unix METHOD PATH</c>.</summary>
public sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;
    private int _count;

    private UnixSocketServer(WebApplication app, string dir, string path)
    {
        _app = app;
        _dir = dir;
        Path = path;
    }

    public string Path { get; }
    public int RequestCount => Volatile.Read(ref _count);

    public static async Task<UnixSocketServer> StartAsync()
    {
        // Short: sockaddr_un paths are limited to 108 bytes.
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cw-uds-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, "echo.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(path));
        var app = builder.Build();
        UnixSocketServer? server = null;
        app.Run(async context =>
        {
            Interlocked.Increment(ref server!._count);
            context.Response.Headers["x-backend"] = "unix";
            await context.Response.WriteAsync($"unix {context.Request.Method} {context.Request.Path}{context.Request.QueryString} host={context.Request.Host}");
        });
        server = new UnixSocketServer(app, dir, path);
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } // the socket file may linger
    }
}
