using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Causeway.DataPlane.Policies.HttpUpgrade;

/// <summary>
/// Which protocol upgrades a rule forwards (BackendTrafficPolicy <c>httpUpgrade</c>; without it websocket only, and
/// none when the policy buffers requests, as Envoy Gateway configures Envoy). An upgrade request of another type is
/// answered 403, before any other step, as Envoy answers an Upgrade it has no upgrade config for (details
/// <c>upgrade_failed</c>). The Upgrade header is compared whole and case-insensitively, as Envoy does. Compiled once
/// per rule; the byte transports hand every upgrade request to Kestrel, so <see cref="Transports.Kestrel"/> is its one
/// caller (HTTP/1.1 upgrades and HTTP/2 extended CONNECT).
/// </summary>
internal sealed class HttpUpgradePolicy
{
    /// <summary>No policy field: websocket only.</summary>
    public static readonly HttpUpgradePolicy Default = new(["websocket"], isDefault: true);

    /// <summary>A policy that buffers requests and does not list upgrades: none.</summary>
    public static readonly HttpUpgradePolicy None = new([], isDefault: false);

    private readonly string[] _types;

    private HttpUpgradePolicy(string[] types, bool isDefault)
    {
        _types = types;
        IsDefault = isDefault;
    }

    /// <summary>Whether this is the rule's default (not printed in plans).</summary>
    public bool IsDefault { get; }

    public static HttpUpgradePolicy For(BackendTrafficPolicyIr? policy)
    {
        if (policy is null) return Default;
        if (policy.HttpUpgrade is { } upgrade) return new HttpUpgradePolicy([.. upgrade.Types], isDefault: false);
        return policy.RequestBufferLimit is not null ? None : Default;
    }

    public bool Allows(ReadOnlySpan<char> type)
    {
        type = type.Trim(" \t");
        foreach (var t in _types)
            if (type.Equals(t, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// The upgrade a Kestrel request asks for, refused by this rule: true when the request must be answered 403 (an
    /// HTTP/1.1 <c>Connection: upgrade</c> request whose Upgrade type is not listed, or an HTTP/2 extended CONNECT
    /// whose :protocol is not).
    /// </summary>
    public bool Refuses(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
        {
            var upgrade = context.Request.Headers.Upgrade;
            // h2c is not an upgrade Envoy forwards or refuses: its HTTP/1.1 codec drops the offer and serves HTTP/1.1.
            if (upgrade.Count == 1 && upgrade[0].AsSpan().Trim(" \t").Equals("h2c", StringComparison.OrdinalIgnoreCase)) return false;
            return upgrade.Count > 0 && !(upgrade.Count == 1 && Allows(upgrade[0]));
        }
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
            return !Allows(connect.Protocol);
        return false;
    }

    public string Describe() => "http-upgrade " + (_types.Length == 0 ? "none" : string.Join(",", _types));
}
