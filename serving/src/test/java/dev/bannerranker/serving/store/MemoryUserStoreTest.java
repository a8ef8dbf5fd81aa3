package dev.bannerranker.serving.store;

import dev.bannerranker.serving.users.UserStateStore;

/** The in-memory store keeps the contract, but for surviving a reopen (it is not durable). */
class MemoryUserStoreTest extends UserStoreContractTest {
  @Override
  UserStore openStore() {
    return new MemoryUserStore(UserStateStore.limits(SETTINGS));
  }
}
