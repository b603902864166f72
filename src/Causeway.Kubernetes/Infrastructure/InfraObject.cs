using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;

namespace Causeway.Kubernetes.Infrastructure;

/// <summary>One object the controller provisions for a Gateway, as the body of a server-side apply.</summary>
public sealed record InfraObject(ResourceType Type, string Namespace, string Name, JsonObject Body);
