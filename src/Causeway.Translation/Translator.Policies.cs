using System.Collections.Immutable;
using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;
using Causeway.Translation.Policies;
using Causeway.Translation.Routes;
using Causeway.Translation.Status;

namespace Causeway.Translation;

public static partial class Translator
{
    /// <summary>The status of the Envoy Gateway policies, once every Gateway and route is translated.</summary>
    private sealed partial class Run
    {
        private void AddBackendTrafficPolicyStatuses(Dictionary<(string, string), GatewayState> gateways, Dictionary<(string, string), GatewayState> listenerSets)
        {
            var writer = new PolicyStatuses(s, o, (ns, name) => gateways.ContainsKey((ns, name)), (ns, name) => listenerSets.ContainsKey((ns, name)));
            _backendTraffic!.AddStatuses(writer);
            _security!.AddStatuses(writer);
            _statuses.AddRange(writer.Statuses);
            _errors.AddRange(writer.Errors);
            _problems.AddRange(writer.Problems);
        }

        private void AddClientTrafficPolicyStatuses(Dictionary<(string, string), GatewayState> gateways, Dictionary<(string, string), GatewayState> listenerSets)
        {
            var writer = new PolicyStatuses(s, o, (ns, name) => gateways.ContainsKey((ns, name)), (ns, name) => listenerSets.ContainsKey((ns, name)), "listeners");
            var ctp = _clientTraffic!;
            foreach (var key in ctp.Attachment.Policies)
            {
                var (policy, compiled) = ctp.Get(key);
                writer.Add(policy, ctp.Attachment.State(key), compiled.Errors, ctp.Warnings(key));
            }
            _statuses.AddRange(writer.Statuses);
            _errors.AddRange(writer.Errors);
            _problems.AddRange(writer.Problems);
        }
    }
}
