// Small browser helpers the portal's pages call through IJSRuntime.
function saveBlob(fileName, blob) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
}

window.roomsPortal = {
    // Copies text; the returned promise rejects when the browser refuses (no permission, insecure origin).
    copyText: function (text) {
        return navigator.clipboard.writeText(text);
    },
    // Saves text as a file from memory: nothing goes to the server or into a URL anyone can open later.
    downloadText: function (fileName, text, mimeType) {
        saveBlob(fileName, new Blob([text], { type: mimeType || "text/csv" }));
    },
    // Saves a file streamed over the circuit (a DotNetStreamReference), the same way.
    downloadStream: async function (fileName, streamRef, mimeType) {
        const buffer = await streamRef.arrayBuffer();
        saveBlob(fileName, new Blob([buffer], { type: mimeType }));
    },
    // Opens the browser's print dialog (the installation sheets' print view).
    print: function () {
        window.print();
    }
};
