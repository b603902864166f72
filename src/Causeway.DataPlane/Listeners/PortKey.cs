using System.Net;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Listeners;

/// <summary>What a bound socket is keyed by: the same key across applies keeps the socket and its connections.</summary>
internal readonly record struct PortKey(IPAddress Address, int Port, PortProtocol Protocol)
{
    public bool IsHttp => Protocol is PortProtocol.Http or PortProtocol.Https;

    public override string ToString() => $"{Address}:{Port}/{Protocol}";
}
