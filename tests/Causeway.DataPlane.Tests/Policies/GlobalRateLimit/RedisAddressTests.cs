using Causeway.Cli;
using Causeway.DataPlane.Policies.RateLimit.Global;

namespace Causeway.DataPlane.Tests.Policies.GlobalRateLimit;

/// <summary><c>--rate-limit-redis</c> URLs: what they name, and that the password is never printed.</summary>
public sealed class RedisAddressTests
{
    [Theory]
    [InlineData("redis://10.0.0.5:6380/2", "10.0.0.5", 6380, 2, false, "redis://10.0.0.5:6380/2")]
    [InlineData("rediss://cache.example", "cache.example", 6379, 0, true, "rediss://cache.example:6379/0")]
    [InlineData("redis.redis-system.svc.cluster.local:6379", "redis.redis-system.svc.cluster.local", 6379, 0, false, "redis://redis.redis-system.svc.cluster.local:6379/0")]
    [InlineData("redis://app:p%40ss-w0rd@host:7000", "host", 7000, 0, false, "redis://app:***@host:7000/0")]
    [InlineData("redis://:p%40ss-w0rd@host", "host", 6379, 0, false, "redis://:***@host:6379/0")]
    public void ParsesAndPrintsWithoutThePassword(string url, string host, int port, int db, bool tls, string printed)
    {
        var a = RedisAddress.Parse(url);
        Assert.Equal((host, port, db, tls), (a.Host, a.Port, a.Database, a.Tls));
        Assert.Equal(printed, a.ToString());
        Assert.DoesNotContain("ss-w0rd", a.ToString());
        Assert.DoesNotContain("ss-w0rd", new GlobalRateLimitOptions { Redis = a }.ToString());
        var config = a.Configuration(TimeSpan.FromMilliseconds(100));
        Assert.Equal(tls, config.Ssl);
        Assert.False(config.AbortOnConnectFail);
        Assert.DoesNotContain("ss-w0rd", config.ToString(includePassword: false));
    }

    [Fact]
    public void TheUserAndPasswordReachTheClient()
    {
        var config = RedisAddress.Parse("redis://app:p%40ss@host:7000/3").Configuration(TimeSpan.FromMilliseconds(100));
        Assert.Equal(("app", "p@ss", 3), (config.User, config.Password, config.DefaultDatabase));
    }

    [Theory]
    [InlineData("http://u:topsecret@host:6379")]
    [InlineData("redis://u:topsecret@host:notaport")]
    [InlineData("redis://u:topsecret@host:6379/db")]
    public async Task BadUrlsAreRefusedWithoutShowingThePassword(string url)
    {
        Assert.Throws<FormatException>(() => RedisAddress.Parse(url));
        var output = new StringWriter();
        var exit = await CausewayCli.InvokeAsync(["run", ".", "--rate-limit-redis", url], new CliContext { Out = output, Err = output });
        Assert.Equal(2, exit);
        Assert.Contains("--rate-limit-redis", output.ToString());
        Assert.DoesNotContain("topsecret", output.ToString());
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0ms")]
    [InlineData("5m")]
    public async Task BadTimeoutsAreRefused(string timeout)
    {
        var output = new StringWriter();
        Assert.Equal(2, await CausewayCli.InvokeAsync(["proxy", "--gateway", "a/b", "--controller", "https://c:1", "--credentials", "/nonexistent",
            "--rate-limit-redis-timeout", timeout], new CliContext { Out = output, Err = output }));
        Assert.Contains("--rate-limit-redis-timeout", output.ToString());
    }

    [Theory]
    [InlineData("--rate-limit-redis", "redis://u:topsecret@redis:6379", "put it in a Secret")]
    [InlineData("--rate-limit-redis-secret", "no-key", "is not NAME/KEY")]
    public async Task The_controller_keeps_passwords_out_of_proxy_deployments(string flag, string value, string message)
    {
        var output = new StringWriter();
        Assert.Equal(2, await CausewayCli.InvokeAsync(["controller", "--ephemeral-ca", flag, value], new CliContext { Out = output, Err = output }));
        Assert.Contains(message, output.ToString());
        Assert.DoesNotContain("topsecret", output.ToString());
    }
}
