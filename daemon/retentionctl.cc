// Placeholder until the daemon main lands.
int main() { return 0; }
