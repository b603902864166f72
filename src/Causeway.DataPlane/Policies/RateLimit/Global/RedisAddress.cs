using System.Globalization;
using StackExchange.Redis;

namespace Causeway.DataPlane.Policies.RateLimit.Global;

/// <summary>
/// A Redis server named by URL: <c>redis://[user:password@]HOST:PORT[/DB]</c>, <c>rediss://</c> for TLS, or Envoy
/// Gateway's bare <c>HOST:PORT</c>. <see cref="ToString"/> shows the host, port, database and scheme only: the password
/// never reaches a log, a status or a plan.
/// </summary>
public sealed class RedisAddress
{
    private readonly string? _user;
    private readonly string? _password;

    private RedisAddress(string host, int port, int database, bool tls, string? user, string? password)
    {
        Host = host;
        Port = port;
        Database = database;
        Tls = tls;
        _user = user;
        _password = password;
    }

    public string Host { get; }

    public int Port { get; }

    public int Database { get; }

    public bool Tls { get; }

    /// <summary>Whether the URL carries a password (never printed; the controller keeps such URLs out of Deployments).</summary>
    public bool HasPassword => _password is not null;

    /// <summary>Parses <paramref name="text"/>; <see cref="FormatException"/> (without the password) when it is not a Redis URL.</summary>
    public static RedisAddress Parse(string text)
    {
        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "redis://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
            throw new FormatException("the Redis address is not redis://[USER:PASSWORD@]HOST:PORT[/DB] (or rediss:// for TLS)");
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            if (colon < 0) password = Uri.UnescapeDataString(uri.UserInfo); // redis://PASSWORD@HOST (no user: the default one)
            else
            {
                user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
                if (user.Length == 0) user = null;
            }
        }
        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15_000))
            throw new FormatException($"the Redis address's database \"{path}\" is not a number");
        var host = uri.Host.Trim('[', ']');
        return new RedisAddress(host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port, database, uri.Scheme == "rediss", user, password);
    }

    /// <summary>The client's settings: never waits for a connection (requests fail fast while Redis is away), reconnects on its own.</summary>
    internal ConfigurationOptions Configuration(TimeSpan timeout)
    {
        var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        var config = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = Math.Max(ms, 2000),
            AsyncTimeout = Math.Max(ms, 1000),
            SyncTimeout = Math.Max(ms, 1000),
            ConnectRetry = 1,
            ReconnectRetryPolicy = new LinearRetry(1000),
            KeepAlive = 5,
            ClientName = "causeway",
            DefaultDatabase = Database,
            User = _user,
            Password = _password,
            Ssl = Tls,
            SslHost = Tls ? Host : null,
        };
        config.EndPoints.Add(Host, Port);
        return config;
    }

    public override string ToString() =>
        $"{(Tls ? "rediss" : "redis")}://{(_password is null ? "" : (_user ?? "") + ":***@")}{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}/{Database}";
}
