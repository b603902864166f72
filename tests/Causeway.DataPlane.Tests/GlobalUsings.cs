global using Causeway.DataPlane.Compile;
global using Causeway.DataPlane.Filters;
global using Causeway.DataPlane.Pipeline;
global using Causeway.DataPlane.Routing;
global using Causeway.DataPlane.Transports.Http1;
global using Causeway.DataPlane.Transports.Http1.EventLoop;
global using Causeway.DataPlane.Upstream;
