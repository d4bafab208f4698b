// Small browser helpers the portal's pages call through IJSRuntime.
window.roomsPortal = {
    // Copies text; the returned promise rejects when the browser refuses (no permission, insecure origin).
    copyText: function (text) {
        return navigator.clipboard.writeText(text);
    },
    // Saves text as a file from memory: nothing goes to the server or into a URL anyone can open later.
    downloadText: function (fileName, text, mimeType) {
        const blob = new Blob([text], { type: mimeType || "text/csv" });
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = fileName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }
};
