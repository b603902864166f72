// The data plane's stages live in their own folders and namespaces (see docs/architecture.md); every stage may use
// the others' internal types, so the namespaces are imported once here instead of in every file.
global using Causeway.DataPlane.Compile;
global using Causeway.DataPlane.Filters;
global using Causeway.DataPlane.Pipeline;
global using Causeway.DataPlane.Routing;
global using Causeway.DataPlane.Transports.Http1;
global using Causeway.DataPlane.Transports.Http1.EventLoop;
global using Causeway.DataPlane.Transports.Http1.Relay;
global using Causeway.DataPlane.Transports.Kestrel;
global using Causeway.DataPlane.Upstream;
global using Causeway.DataPlane.Filters.Cors;
global using Causeway.DataPlane.State;
global using Causeway.DataPlane.Telemetry;
global using Causeway.Telemetry;
global using Causeway.DataPlane.Policies.CircuitBreaker;
global using Causeway.DataPlane.Policies.FaultInjection;
global using Causeway.DataPlane.Policies.RateLimit;
global using Causeway.DataPlane.Policies.Authentication;
global using Causeway.DataPlane.Policies.Authorization;
global using Causeway.DataPlane.Policies.Jwt;
global using Causeway.DataPlane.Upstream.Balancing;
global using Causeway.DataPlane.Upstream.Health;
