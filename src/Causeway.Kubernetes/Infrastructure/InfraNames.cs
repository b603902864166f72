using System.Security.Cryptography;
using System.Text;

namespace Causeway.Kubernetes.Infrastructure;

/// <summary>Names and labels of a Gateway's proxy infrastructure.</summary>
public static class InfraNames
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "causeway";
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";
    public const string GatewayNamespaceLabel = "gateway.causeway.dev/gateway-namespace";
    public const string ProxyLabel = "gateway.causeway.dev/proxy";

    /// <summary>The namespace a Gateway's proxies live in.</summary>
    public static string Namespace(string gatewayNamespace, string? infrastructureNamespace) => infrastructureNamespace ?? gatewayNamespace;

    /// <summary>
    /// The name of the ServiceAccount, Deployment and Service of a Gateway: <c>causeway-NAME</c> in the Gateway's namespace,
    /// <c>causeway-NS-NAME</c> in a shared infrastructure namespace; at most 63 characters (a hash keeps long names unique).
    /// </summary>
    public static string ResourceName(string gatewayNamespace, string gatewayName, string? infrastructureNamespace)
    {
        var name = infrastructureNamespace is null || infrastructureNamespace == gatewayNamespace
            ? $"causeway-{gatewayName}" : $"causeway-{gatewayNamespace}-{gatewayName}";
        return Limit(name);
    }

    /// <summary>The Secret with the proxies' client certificate (mounted by the proxy Deployment): <c>RESOURCENAME-proxy</c>.</summary>
    public static string CredentialsSecretName(string gatewayNamespace, string gatewayName, string? infrastructureNamespace) =>
        ResourceName(gatewayNamespace, gatewayName, infrastructureNamespace) + "-proxy";

    /// <summary>A label value (at most 63 characters, ending alphanumeric).</summary>
    public static string LabelValue(string value) => Limit(value);

    private static string Limit(string name)
    {
        if (name.Length <= 63) return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return name[..54].TrimEnd('-', '.') + "-" + hash;
    }
}
