using System.Net;
using Keepwire.IntegrationTests.Network;

namespace Keepwire.IntegrationTests.Notifications;

/// <summary>
/// Starts an <see cref="HttpListener"/> inside a network namespace: its listening socket is made on a thread
/// that joined the namespace (<see cref="NamespaceThread"/>), so it belongs there for good, while the test serves it
/// from any thread. Lets a test run a receiver on the loopback of the lab's hub namespace, where only the hub can reach it.
/// </summary>
internal static class NamespaceListener
{
    public static HttpListener Start(string networkNamespace, int port)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        return NamespaceThread.Run(networkNamespace, () =>
        {
            try
            {
                listener.Start();
            }
            catch (HttpListenerException e)
            {
                // HttpListener's own message names neither the address nor the namespace ("Address already in use").
                listener.Close();
                throw new InvalidOperationException($"cannot listen on 127.0.0.1:{port} in namespace {networkNamespace}: {e.Message}", e);
            }
            return listener;
        });
    }
}
