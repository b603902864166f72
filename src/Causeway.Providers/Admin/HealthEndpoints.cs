using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Causeway.Providers.Admin;

/// <summary>
/// The probe endpoints every Causeway process serves (standalone admin API, controller, proxy), GET or HEAD, plain
/// text: <c>/healthz</c> (200 <c>ok</c> while the process serves) and <c>/readyz</c> (200 <c>ready</c> when
/// <c>ready()</c> holds, else 503 <c>not ready</c>, with <c>notReadyDetail</c> appended when given).
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(
        this IEndpointRouteBuilder endpoints, Func<bool> ready, string? notReadyDetail = null)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        var notReady = notReadyDetail is null ? "not ready\n" : $"not ready: {notReadyDetail}\n";
        endpoints.MapMethods("/healthz", methods, () => Results.Text("ok\n", "text/plain"));
        endpoints.MapMethods("/readyz", methods, () => ready()
            ? Results.Text("ready\n", "text/plain")
            : Results.Text(notReady, "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable));
        return endpoints;
    }
}
