import { useQuery } from '@tanstack/react-query';
import { api } from './api.js';

export const useMe = () => useQuery({ queryKey: ['me'], queryFn: () => api.me(), staleTime: 60_000 });
